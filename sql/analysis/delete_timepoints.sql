-- Remove the stored timepoint rows of the patients $ids (every patient when $ids is null).
delete from analysis_timepoints
where $ids is null or patient_id in (select unnest($ids));
