-- Imported IDs that differ only in case from another ID of the same table, in the registry or in this import:
-- `p1` beside `P1` would read as the same patient.
with ids as (
    select {{column}} as id from {{table}}
    union
    select {{column}} from {{typed}} where {{column}} is not null
),
clashes as (
    select i._file, i._row, i.{{column}} as id, min(o.id) as other
    from {{typed}} i
    join ids o on lower(o.id) = lower(i.{{column}}) and o.id <> i.{{column}}
    group by i._file, i._row, i.{{column}}
)
select _file as file, _row as row, $column as column,
    $column || ' ''' || id || ''' differs only in case from ''' || other || '''; use one spelling' as message
from clashes
order by _row
