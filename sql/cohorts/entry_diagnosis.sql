-- Cohort entry at the histological diagnosis: every patient is a candidate. Depends on: patients.
create or replace temp table cohort_candidates as
select p.patient_id, p.diagnosis_date as entry_date, p.site, p.sex, p.birth_date, p.diagnosis_date,
       p.primary_site, p.who_grade, p.ki67_percent
from patients as p;
