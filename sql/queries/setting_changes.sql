-- Every recorded change of the registry's settings, oldest first (netpet config history).
select
    changed_at,
    operator,
    command,
    row_key as name,
    json_extract_string(before, '$.value') as old_value,
    json_extract_string(after, '$.value') as new_value
from change_log
where table_name = 'settings'
order by change_id
