-- Cohort entry at the start of the patient's first PRRT (Lu-177 DOTATATE) course.
-- Starts a cohort build: one candidate row per patient ever given PRRT. Depends on: treatments.
create or replace temp table cohort_candidates as
select patient_id, min(start_date) as entry_date
from treatments
where treatment = 'prrt_lu177_dotatate'
group by patient_id;
