-- Treatment courses in days from the patient's origin; an ongoing course runs to the end of follow-up.
-- Read by analysis.swimmer.
select
    t.patient_id,
    t.treatment_id,
    t.treatment,
    date_diff('day', f.first_timepoint_date, t.start_date) as start_day,
    date_diff('day', f.first_timepoint_date, coalesce(t.end_date, greatest(f.followup_end_date, t.start_date)))
        as stop_day,
    t.end_date is null as is_ongoing
from treatments as t
join patient_followup as f using (patient_id)
where f.first_timepoint_date is not null
order by t.patient_id, t.start_date, t.treatment_id
