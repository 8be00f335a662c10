-- live_timepoint_scores: one row per patient x dual-PET timepoint, derived from the clinical tables on every
-- read (macro timepoint_score_rows). Its rows are stored in analysis_timepoints (read through the view
-- timepoint_scores) by registry.analysis_tables; the audit compares the two.
-- Depends on: timepoints, pet_scans, derived_scores, settings.
create or replace view live_timepoint_scores as
select * from timepoint_score_rows(null);

comment on view live_timepoint_scores is 'Derived live from the clinical tables (stored in analysis_timepoints): one row per patient x dual-PET timepoint: scan dates, recorded and derived NETPET score, the score analyses use (P0-P5) and its group (P1, P2-4, P5; P0 separate).';
