-- Dual-PET timepoints dated after the patient's death: impossible records that analyses refuse.
select s.patient_id, s.timepoint_id, s.timepoint_date, f.death_date
from timepoint_scores as s
join patient_followup as f using (patient_id)
where f.death_date is not null and s.timepoint_date > f.death_date
order by s.patient_id, s.timepoint_date
