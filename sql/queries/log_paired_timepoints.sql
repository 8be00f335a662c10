-- Record each timepoint registry.pairing added in the append-only change_log (frame _new_timepoint_log).
insert into change_log (operator, command, batch_id, table_name, row_key, patient_id, action, before, after)
select $operator, $command, $batch_id, 'timepoints', row_key, patient_id, 'insert', null, cast(after as json)
from _new_timepoint_log
order by row_key
