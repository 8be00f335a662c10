-- Timepoints whose lesion reads the import adds or changes: their derived scores must be refreshed
-- (registry.score_store.refresh_listed_scores reads temp table _score_timepoints).
create or replace temp table _score_timepoints as
select distinct i.timepoint_id
from _typed_lesion_reads i
left join lesion_reads r on r.timepoint_id = i.timepoint_id and r.lesion_id = i.lesion_id
where r.timepoint_id is null or ({{differs}})
