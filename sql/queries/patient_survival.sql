-- The per-patient analysis rows, read by analysis.frames.survival_frame. {{columns}} lists only the
-- columns the analysis uses (names from analysis.frames' fixed endpoints, groupings and covariates), so
-- the view's unused joins and expressions are pruned; at a million patients that is a quarter of the time.
select {{columns}} from patient_survival order by patient_id
