-- The import batches a registry holds, one row per imported file with its checksum and row count.
-- Read by analysis.report: a report's manifest names the batches its numbers come from.
select
    b.batch_id,
    b.imported_at,
    b.command,
    b.source,
    b.is_update,
    f.file_name,
    f.table_name,
    f.sha256,
    f.row_count
from import_batches as b
left join import_files as f on f.batch_id = b.batch_id
order by b.batch_id, f.file_name;
