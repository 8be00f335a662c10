-- The lesion reads of the timepoints being scored ($all, else those in temp table _score_timepoints), read only
-- when some cannot be scored, so that registry.scoring reports why (registry.score_store).
select timepoint_id, lesion_id, sstr_avid, fdg_avid, fdg_vs_sstr
from lesion_reads
where $all or timepoint_id in (select timepoint_id from _score_timepoints)
