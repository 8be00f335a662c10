-- The records deleted by the latest deletion of one patient, parents first, for registry.history.restore_patient.
-- That deletion's rows follow the patient's previous restore, logged insert or deletion (whose patients row is
-- its last): an import that re-inserted the patient in between logs no row of its own (log_inserts.sql).
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
      where patient_id = $patient_id and change_id < last_delete.last_id
        and (action in ('restore', 'insert') or (action = 'delete' and table_name = 'patients'))
  ), 0)
order by c.change_id desc
