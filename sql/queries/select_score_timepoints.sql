-- The timepoints to re-score, from a registered frame of IDs (registry.score_store.refresh_derived_scores).
create or replace temp table _score_timepoints as select distinct timepoint_id from _given_timepoints
