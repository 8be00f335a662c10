-- Remove the recorded digests of the patients $ids (every patient when $ids is null).
delete from analysis_digests
where $ids is null or patient_id in (select unnest($ids));
