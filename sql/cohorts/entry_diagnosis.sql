-- Cohort entry at the histological diagnosis: every patient is a candidate. Depends on: patients.
create or replace temp table cohort_candidates as
select patient_id, diagnosis_date as entry_date
from patients;
