-- patient_survival: the per-patient analysis view. One row per patient.
-- Origin = first dual-PET timepoint (origin_date); OS, PFS and TTP in days from that origin, plus OS from
-- diagnosis. Baseline NETPET score = the score of the first timepoint.
-- The stored rows of live_patient_analysis (table analysis_patients, kept current by every write).
-- Read by analysis.km, analysis.cox, analysis.tables, cohorts. Depends on: analysis_patients.
create or replace view patient_survival as
select * exclude (death_records) from analysis_patients;

comment on view patient_survival is 'One row per patient: baseline NETPET score and group at the first dual-PET timepoint (the origin), covariates, and OS/PFS/TTP in days from the origin with event flags; OS from diagnosis too.';
