-- The patients another writer's batch (one not in $before, so committed meanwhile) added rows of or changed:
-- after a serialization failure, those the import also writes are what it was about (registry/write_retry.py).
select patient_id from change_log
where batch_id is not null and not list_contains($before, batch_id) and patient_id is not null
union select patient_id from patients where batch_id is not null and not list_contains($before, batch_id)
union select patient_id from pet_scans where batch_id is not null and not list_contains($before, batch_id)
union select patient_id from timepoints where batch_id is not null and not list_contains($before, batch_id)
