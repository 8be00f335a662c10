-- Record one import batch and return its id.
insert into import_batches (operator, command, source, is_update)
values ($operator, $command, $source, $is_update)
returning batch_id
