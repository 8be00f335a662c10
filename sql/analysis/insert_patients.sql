-- Store the derived patient rows of the patients $ids (every patient when $ids is null); reads the timepoint
-- rows stored just before.
insert into analysis_patients
select * from patient_analysis_rows($ids);
