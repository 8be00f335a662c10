-- Remove derived scores before re-deriving them; $ids = list of timepoint_ids, or null for all.
delete from derived_scores
where $ids is null or timepoint_id in (select unnest($ids))
