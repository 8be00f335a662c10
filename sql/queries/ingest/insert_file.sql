-- Record one imported file of a batch.
insert into import_files (batch_id, file_name, table_name, sha256, row_count, rows_inserted, rows_updated)
values ($batch_id, $file_name, $table_name, $sha256, $row_count, $rows_inserted, $rows_updated)
