-- How many imported rows are new, differ from the registry row with their key, or equal it.
select
    count(*) filter (where r.{{first_key}} is null) as inserted,
    count(*) filter (where r.{{first_key}} is not null and ({{differs}})) as changed,
    count(*) filter (where r.{{first_key}} is not null and not ({{differs}})) as unchanged
from {{typed}} i left join {{table}} r on {{key_match}}
