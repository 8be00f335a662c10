-- Every change recorded for one patient's records, oldest first (read by registry.history).
select change_id, changed_at, operator, command, batch_id, table_name, row_key, action,
       cast(before as varchar) as before, cast(after as varchar) as after
from change_log
where patient_id = $patient_id
order by change_id
