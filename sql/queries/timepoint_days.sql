-- Every dual-PET timepoint with its day from the patient's origin (first timepoint), read by
-- analysis.longitudinal (landmark groups) and analysis.swimmer (timepoint markers).
select
    s.patient_id,
    s.timepoint_id,
    s.timepoint_number,
    s.timepoint_date,
    date_diff('day', f.first_timepoint_date, s.timepoint_date) as day,
    s.score,
    s.netpet_score,
    s.netpet_group
from timepoint_scores as s
join patient_followup as f using (patient_id)
order by s.patient_id, s.timepoint_number
