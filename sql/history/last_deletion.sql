-- The records deleted by the latest deletion of one patient, parents first, for registry.history.restore_patient.
with last_delete as (
    select max(change_id) as last_id from change_log where patient_id = $patient_id and action = 'delete'
        and table_name = 'patients'
)
select c.change_id, c.table_name, c.row_key, cast(c.before as varchar) as before
from change_log as c, last_delete
where c.patient_id = $patient_id and c.action = 'delete'
  and c.change_id <= last_delete.last_id
  and c.change_id > coalesce((
      select max(change_id) from change_log
      where patient_id = $patient_id and action in ('restore', 'insert') and change_id < last_delete.last_id
  ), 0)
order by c.change_id desc
