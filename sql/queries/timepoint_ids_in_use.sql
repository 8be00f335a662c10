-- Which of the timepoint IDs $ids (a list) the registry already holds (registry.pairing refuses them).
select timepoint_id from timepoints where timepoint_id in (select unnest($ids)) order by timepoint_id
