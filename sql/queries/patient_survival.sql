-- The per-patient analysis rows, read by analysis.frames.survival_frame.
select * from patient_survival order by patient_id
