-- Record that a deleted record was put back, with the values it got (registry.history).
insert into change_log (operator, command, table_name, row_key, patient_id, action, after)
values ($operator, $command, $table_name, $row_key, $patient_id, 'restore', $after)
