-- Cohort entry at the patient's first dual-PET timepoint (the later of its two scan dates, as in
-- patient_followup.first_timepoint_date): one candidate per patient with a timepoint, with the patient
-- columns criteria test. Depends on: cohort_timepoints (prepare_timepoints), patients.
create or replace temp table cohort_candidates as
select p.patient_id, e.entry_date, p.site, p.sex, p.birth_date, p.diagnosis_date, p.primary_site,
       p.who_grade, p.ki67_percent
from (select patient_id, min(timepoint_date) as entry_date from cohort_timepoints group by patient_id) as e
join patients as p using (patient_id);
