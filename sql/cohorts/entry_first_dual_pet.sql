-- Cohort entry at the patient's first dual-PET timepoint (patient_followup.first_timepoint_date, the later
-- of its two scan dates): one candidate per patient with a timepoint, with the patient columns criteria
-- test, read from the stored per-patient analysis rows. Depends on: patient_survival.
create or replace temp table cohort_candidates as
select patient_id, origin_date as entry_date, site, sex, birth_date, diagnosis_date, primary_site, who_grade,
       ki67_percent
from patient_survival
where origin_date is not null;
