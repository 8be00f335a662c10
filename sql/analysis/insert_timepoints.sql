-- Store the derived timepoint rows of the patients $ids (every patient when $ids is null).
insert into analysis_timepoints
select * from timepoint_score_rows($ids);
