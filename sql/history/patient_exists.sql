-- Whether one patient is in the registry (registry.history).
select count(*) as n from patients where patient_id = $patient_id
