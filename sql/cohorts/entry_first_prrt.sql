-- Cohort entry at the start of the patient's first PRRT (Lu-177 DOTATATE) course: one candidate per
-- patient ever given PRRT, with the patient columns criteria test. Depends on: treatments, patients.
create or replace temp table cohort_candidates as
select p.patient_id, e.entry_date, p.site, p.sex, p.birth_date, p.diagnosis_date, p.primary_site,
       p.who_grade, p.ki67_percent
from (
    select patient_id, min(start_date) as entry_date
    from treatments
    where treatment = 'prrt_lu177_dotatate'
    group by patient_id
) as e
join patients as p using (patient_id);
