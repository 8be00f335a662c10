-- live_patient_analysis: one row per patient with the dates that bound follow-up and the survival
-- endpoints, derived on every read (macro patient_analysis_rows) from the clinical tables and the stored
-- timepoint rows. Its rows are stored in analysis_patients (read through patient_followup and
-- patient_survival) by registry.analysis_tables; the audit compares the two.
-- Depends on: patients, outcomes, pet_scans, timepoint_scores.
create or replace view live_patient_analysis as
select * from patient_analysis_rows(null);

comment on view live_patient_analysis is 'Derived live (stored in analysis_patients): one row per patient with first dual-PET timepoint, baseline NETPET score, end of follow-up, and OS/PFS/TTP in days from the first timepoint.';
