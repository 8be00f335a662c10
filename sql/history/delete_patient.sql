-- Delete one patient's records, children first (foreign keys), after log_patient_deletion has logged them.
delete from lesion_reads where timepoint_id in (select timepoint_id from timepoints where patient_id = $patient_id);
delete from derived_scores where timepoint_id in (select timepoint_id from timepoints where patient_id = $patient_id);
delete from timepoints where patient_id = $patient_id;
delete from pet_scans where patient_id = $patient_id;
delete from treatments where patient_id = $patient_id;
delete from outcomes where patient_id = $patient_id;
delete from patients where patient_id = $patient_id;
