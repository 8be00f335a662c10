-- Prepare analysis_tables_stale: the live derivation of the analysis rows (views live_timepoint_scores and
-- live_patient_analysis), each row as its IDs and its hash, in temp tables that the precheck and the check read.
-- Why: deriving the rows is most of the audit's CPU at a million patients (~9 s); a stale registry derived them
-- twice (precheck, then check), and a hash per row is all either needs. Dropped by checks/cleanup.
create or replace temp table stale_live_timepoints as
select patient_id, timepoint_id, hash(*columns(*)) as row_hash from live_timepoint_scores;
create or replace temp table stale_live_patients as
select patient_id, hash(*columns(*)) as row_hash from live_patient_analysis;
