-- Add the imported rows whose key is new to the registry (an anti-join on the key; insert_rows.sql
-- when no imported key is in the registry).
insert into {{table}} ({{columns}}, batch_id)
select {{i_columns}}, $batch_id from {{typed}} i
where not exists (select 1 from {{table}} r where {{key_match}})
