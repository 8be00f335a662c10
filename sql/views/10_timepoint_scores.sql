-- timepoint_scores: one row per patient x dual-PET timepoint, with the recorded, derived and used score.
-- The stored rows of live_timepoint_scores (table analysis_timepoints, kept current by every write).
-- Read by analysis (km, cox, timevarying), cohorts, registry.scoring reports and audit checks.
-- Depends on: analysis_timepoints.
create or replace view timepoint_scores as
select * from analysis_timepoints;

comment on view timepoint_scores is 'One row per patient x dual-PET timepoint: scan dates, recorded and derived NETPET score, the score analyses use (P0-P5) and its group (P1, P2-4, P5; P0 separate).';
