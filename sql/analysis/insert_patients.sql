-- Store the live patient rows of the patients being refreshed (all of them when $all); reads the timepoint
-- rows stored just before.
insert into analysis_patients
select * from live_patient_analysis
where $all or patient_id in (select unnest($ids));
