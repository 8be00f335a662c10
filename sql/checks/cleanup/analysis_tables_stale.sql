-- Cleanup of analysis_tables_stale: drop the temp tables checks/prepare made.
-- Why: at a million patients they hold ~4M rows; a long-lived connection should not keep them.
drop table if exists temp.stale_live_timepoints;
drop table if exists temp.stale_live_patients;
