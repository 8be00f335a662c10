-- patient_followup: one row per patient with the dates that bound follow-up.
-- Read by patient_survival and audit checks. Depends on: patients, outcomes, pet_scans, timepoints.
create or replace view patient_followup as
with deaths as (
    select patient_id, min(outcome_date) as death_date, count(*) as death_records
    from outcomes where outcome = 'death' group by patient_id
),
contact as (
    select patient_id, max(d) as last_known_date
    from (
        select patient_id, outcome_date as d from outcomes
        union all
        select patient_id, scan_date as d from pet_scans
    ) group by patient_id
),
first_tp as (
    select t.patient_id, min(greatest(s.scan_date, f.scan_date)) as first_timepoint_date, count(*) as timepoint_count
    from timepoints as t
    join pet_scans as s on s.scan_id = t.sstr_scan_id
    join pet_scans as f on f.scan_id = t.fdg_scan_id
    group by all
)
select
    p.patient_id,
    p.diagnosis_date,
    f.first_timepoint_date,
    coalesce(f.timepoint_count, 0) as timepoint_count,
    d.death_date,
    coalesce(d.death_records, 0) as death_records,
    coalesce(d.death_date, c.last_known_date) as followup_end_date,
    d.death_date is not null as is_dead
from patients as p
left join deaths as d using (patient_id)
left join contact as c using (patient_id)
left join first_tp as f using (patient_id);

comment on view patient_followup is 'One row per patient: first dual-PET timepoint, death date, and the end of follow-up (death, else the latest outcome or scan date).';
