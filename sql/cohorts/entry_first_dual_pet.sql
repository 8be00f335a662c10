-- Cohort entry at the patient's first dual-PET timepoint (the later of its two scan dates).
-- Starts a cohort build: one candidate row per patient with a timepoint. Depends on: patient_followup.
create or replace temp table cohort_candidates as
select patient_id, first_timepoint_date as entry_date
from patient_followup
where first_timepoint_date is not null;
