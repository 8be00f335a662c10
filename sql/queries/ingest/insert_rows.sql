-- Add the imported rows whose key is new to the registry (the filter is column_sql.key_is_new, or always true
-- when no imported key is in the registry: a first import of tens of millions of rows skips the anti-join).
insert into {{table}} ({{columns}}, batch_id)
select {{i_columns}}, $batch_id from {{typed}} i
where {{new_only}}
