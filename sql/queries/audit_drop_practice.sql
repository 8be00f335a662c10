-- End of the audit's practice tables: drop the temp table audit_treatment_after_timepoint made.
drop table if exists temp.audit_practice;
