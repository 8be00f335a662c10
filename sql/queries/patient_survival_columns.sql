-- The per-patient analysis rows, read by analysis.studies.frames.survival_frame. $columns lists only the
-- columns the analysis uses (names from the analysis vocabulary's endpoints, groupings and covariates), so
-- DuckDB prunes the view's unused expressions instead of computing and transferring all of them. COLUMNS
-- expands the bound list when the statement is bound, in the view's column order.
select columns($columns) from patient_survival order by patient_id
