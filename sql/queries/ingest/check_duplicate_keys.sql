-- Rows whose key repeats an earlier row of the same file (run when any_duplicate_key.sql finds one may).
with repeated as (
    select {{i_keys}}, min(i._row) as first_row
    from {{typed}} i
    where {{keys_present}}
    group by all
    having count(*) > 1
)
select i._file as file, i._row as row, $column as column,
    'duplicate ' || $key_name || ' ' || {{key_text}} || ': first given on row ' || r.first_row as message
from {{typed}} i join repeated r on {{key_match}}
where i._row > r.first_row
order by i._row
