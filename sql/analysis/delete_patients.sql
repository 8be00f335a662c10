-- Remove the stored patient rows of the patients $ids (every patient when $ids is null).
delete from analysis_patients
where $ids is null or patient_id in (select unnest($ids));
