-- The per-patient analysis rows, read by analysis.frames.survival_frame. {{columns}} lists only the
-- columns the analysis uses (names from analysis.frames' fixed endpoints, groupings and covariates), so
-- DuckDB prunes the view's unused expressions instead of computing and transferring all of them.
select {{columns}} from patient_survival order by patient_id
