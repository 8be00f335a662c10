-- Remove derived scores before re-deriving them: every one when $all, else those of the timepoints in temp
-- table _score_timepoints (registry.score_store).
delete from derived_scores
where $all or timepoint_id in (select timepoint_id from _score_timepoints)
