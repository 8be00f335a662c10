-- Replace registry rows that the import gives with different values (--update).
update {{table}} as r set {{assignments}}, batch_id = $batch_id
from {{typed}} i
where {{key_match}} and ({{differs}})
