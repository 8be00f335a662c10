-- Remove the stored timepoint rows of the patients being refreshed (all of them when $all).
delete from analysis_timepoints
where $all or patient_id in (select unnest($ids));
