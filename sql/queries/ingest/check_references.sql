-- Imported rows referring to a parent row that is neither in the registry nor in this import.
select i._file as file, i._row as row, $column as column,
    'unknown ' || $column || ' ' || i.{{column}} || ': not in the registry or in this import' as message
from {{typed}} i
where i.{{column}} is not null
    and not exists (select 1 from {{parent}} p where p.{{parent_key}} = i.{{column}})
    and not exists (select 1 from {{parent_typed}} p where p.{{parent_key}} = i.{{column}})
order by i._row
