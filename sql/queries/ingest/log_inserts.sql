-- One change_log row per table an import adds rows to (row_key '*', patient_id null, after = {"rows": N}):
-- the records inserted are the rows of that table carrying this batch_id, their values as inserted kept by
-- the row itself until a later update or deletion logs them in its `before` (with the batch_id).
-- sql/history/patient_history.sql lists each such record as its own insert. One row per record was the
-- largest part of the import's write at registry scale (tens of millions of JSON documents).
insert into change_log (operator, command, batch_id, table_name, row_key, patient_id, action, after)
select $operator, $command, $batch_id, $table_name, '*', null, 'insert', json_object('rows', $rows::bigint)
