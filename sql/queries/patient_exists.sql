-- Whether patient $patient_id is in the registry (registry.lesions names a missing patient).
select count(*) as n from patients where patient_id = $patient_id
