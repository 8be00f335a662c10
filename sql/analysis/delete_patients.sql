-- Remove the stored patient rows of the patients being refreshed (all of them when $all).
delete from analysis_patients
where $all or patient_id in (select unnest($ids));
