-- Add every imported row: no imported key is in the registry (a first import of tens of millions of rows skips
-- the anti-join of insert_new_rows.sql).
insert into {{table}} ({{columns}}, batch_id)
select {{i_columns}}, $batch_id from {{typed}} i
