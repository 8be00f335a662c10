-- Imported IDs that differ only in case from another ID of the same table, in the registry or earlier in this
-- import: `p1` beside `P1` would read as the same patient, most often one typed twice. The message names the fix.
-- Two different IDs with one lower-case form cannot both be lower case already, so only lower-case forms of
-- an ID that lower-casing changes can clash (`folded`: none in most imports); the join reads only their IDs.
with folded as (
    select lower({{column}}) as folded from {{table}} where {{column}} <> lower({{column}})
    union
    select lower({{column}}) from {{typed}} where {{column}} <> lower({{column}})
),
ids as (
    select {{column}} as id, null::bigint as _row from {{table}}
    where lower({{column}}) in (select folded from folded)
    union all
    select {{column}}, _row from {{typed}}
    where {{column}} is not null and lower({{column}}) in (select folded from folded)
),
clashes as (
    select i._file, i._row, i.{{column}} as id, min(o.id) as other
    from {{typed}} i
    join ids o
        on lower(o.id) = lower(i.{{column}}) and o.id <> i.{{column}}
        and (o._row is null or o._row < i._row)
    group by i._file, i._row, i.{{column}}
)
select _file as file, _row as row, $column as column,
    $column || ' ' || id || ' differs from ' || other || ' only in case: if it is the same record, write '
        || other || ' exactly (IDs are matched as written)' as message
from clashes
order by _row
