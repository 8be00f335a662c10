-- lost_to_follow_up: living patients with no contact for more than $lost_after_days days before $as_of.
-- Contact = any outcome, scan or treatment date, else the diagnosis date.
-- Why: overall survival censors such a patient at the last contact; long gaps bias survival upwards
-- unless the site updates follow-up. Severity warning.
with contact as (
    select patient_id, max(d) as last_contact_date
    from (
        select patient_id, diagnosis_date as d from patients
        union all select patient_id, outcome_date from outcomes
        union all select patient_id, scan_date from pet_scans
        union all select patient_id, start_date from treatments
        union all select patient_id, end_date from treatments where end_date is not null
    )
    where d <= $as_of::date
    group by patient_id
)
select
    'warning' as severity,
    c.patient_id,
    null::varchar as record_id,
    'no contact since ' || c.last_contact_date || ' (' || date_diff('day', c.last_contact_date, $as_of::date)
        || ' days before ' || $as_of::date || ')' as message
from contact as c
where date_diff('day', c.last_contact_date, $as_of::date) > $lost_after_days
  and not exists (select 1 from outcomes as o where o.patient_id = c.patient_id and o.outcome = 'death')
