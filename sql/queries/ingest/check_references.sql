-- Imported rows referring to a parent row that is neither in the registry nor in this import.
select i._file as file, i._row as row, $column as column,
    'unknown ' || $column || ' ' || i.{{column}} || ': not in the registry or in this import' as message
from {{typed}} i
anti join (
    select p.{{parent_key}} as parent_key from {{parent}} p
    union all
    select p.{{parent_key}} from {{parent_typed}} p
) p on p.parent_key = i.{{column}}
where i.{{column}} is not null
order by i._row
