-- Cells of one column that are empty though required, unparseable, or out of range.
select _row as row, {{raw}} as value,
    case when {{raw}} is null then 'required' when {{parsed}} is null then 'parse' else 'range' end as problem
from {{typed}}
where ($required and {{raw}} is null)
    or ({{raw}} is not null and {{parsed}} is null)
    or ({{range}})
order by _row
