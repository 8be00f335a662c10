i.patient_id
