-- One swimmer lane per patient with a dual-PET timepoint: follow-up end in days from the origin, and death.
-- Read by analysis.swimmer.
select
    patient_id,
    first_timepoint_date as origin_date,
    date_diff('day', first_timepoint_date, followup_end_date) as end_day,
    is_dead
from patient_followup
where first_timepoint_date is not null
order by patient_id
