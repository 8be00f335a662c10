-- Imported rows whose key is already in the registry with different values (an error without --update).
select i._file as file, i._row as row, $column as column,
    $key_name || ' ' || {{key_text}} || ' is already in the registry with different values ('
        || concat_ws(', ', {{changed_names}}) || '); re-run with --update to replace it' as message
from {{typed}} i join {{table}} r on {{key_match}}
where {{differs}}
order by i._row
