-- Store the live timepoint rows of the patients being refreshed (all of them when $all).
insert into analysis_timepoints
select * from live_timepoint_scores
where $all or patient_id in (select unnest($ids));
