-- Timepoints whose lesion reads the import adds when none of its read keys is in the registry: every timepoint
-- it gives reads of (changed_lesion_timepoints.sql finds the same, by a join against lesion_reads).
create or replace temp table _score_timepoints as
select distinct timepoint_id from _typed_lesion_reads
