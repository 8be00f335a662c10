-- patient_followup: one row per patient with the dates that bound follow-up.
-- The stored rows of live_patient_analysis (table analysis_patients, kept current by every write).
-- Read by score_intervals, swimmer plots and audit checks. Depends on: analysis_patients.
create or replace view patient_followup as
select
    patient_id,
    diagnosis_date,
    origin_date as first_timepoint_date,
    timepoint_count,
    death_date,
    death_records,
    followup_end_date,
    os_event as is_dead
from analysis_patients;

comment on view patient_followup is 'One row per patient: first dual-PET timepoint, death date, and the end of follow-up (death, else the latest outcome or scan date).';
