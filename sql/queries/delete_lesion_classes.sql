-- Remove stored lesion classes before re-deriving them; $ids = list of timepoint_ids, or null for all.
delete from lesion_classes
where $ids is null or timepoint_id in (select unnest($ids))
