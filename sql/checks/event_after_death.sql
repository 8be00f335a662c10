-- event_after_death: scans, treatments and outcomes dated after the patient's death.
-- Why: nothing can happen after death (registry-format.md); such a date is a typo in one of the two
-- records, and it corrupts overall survival. Severity error.
with deaths as (
    select patient_id, min(outcome_date) as death_date from outcomes where outcome = 'death' group by patient_id
)
select 'error' as severity, s.patient_id, s.scan_id as record_id,
    'scan dated ' || s.scan_date || ' is after death on ' || d.death_date as message
from pet_scans as s join deaths as d using (patient_id)
where s.scan_date > d.death_date
union all
select 'error', t.patient_id, t.treatment_id,
    'treatment ' || t.treatment || ' dated ' || greatest(t.start_date, coalesce(t.end_date, t.start_date))
        || ' is after death on ' || d.death_date
from treatments as t join deaths as d using (patient_id)
where t.start_date > d.death_date or t.end_date > d.death_date
union all
select 'error', o.patient_id, o.outcome || ' ' || o.outcome_date,
    o.outcome || ' dated ' || o.outcome_date || ' is after death on ' || d.death_date
from outcomes as o join deaths as d using (patient_id)
where o.outcome <> 'death' and o.outcome_date > d.death_date
