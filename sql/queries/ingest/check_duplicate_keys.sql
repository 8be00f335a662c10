-- Rows whose key repeats an earlier row of the same file.
select _file as file, _row as row, $column as column,
    'duplicate ' || $key_name || ' ' || key_text || ': first given on row ' || first_row as message
from (
    select i._file, i._row, {{key_text}} as key_text, min(i._row) over (partition by {{i_keys}}) as first_row
    from {{typed}} i
    where {{keys_present}}
)
where _row > first_row
order by _row
