-- The lesion reads registry.score_store derives scores from; $ids = list of timepoint_ids, or null for all.
select timepoint_id, lesion_id, sstr_avid, fdg_avid, fdg_vs_sstr
from lesion_reads
where $ids is null or timepoint_id in (select unnest($ids))
