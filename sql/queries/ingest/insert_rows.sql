-- Add the imported rows whose key is new to the registry.
insert into {{table}} ({{columns}}, batch_id)
select {{i_columns}}, $batch_id from {{typed}} i
where not exists (select 1 from {{table}} r where {{key_match}})
