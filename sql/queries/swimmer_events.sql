-- Progression and death in days from the patient's origin, for swimmer-plot markers. Read by analysis.swimmer.
select o.patient_id, o.outcome as event, date_diff('day', f.first_timepoint_date, o.outcome_date) as day
from outcomes as o
join patient_followup as f using (patient_id)
where f.first_timepoint_date is not null and o.outcome in ('progression', 'death')
order by o.patient_id, o.outcome_date, o.outcome
