-- The table as it will be after the import: registry rows the import does not replace, plus the import.
-- Registry rows carry no _file/_row; checks blame an imported row whenever one is involved.
create or replace temp view {{all}} as
select {{r_columns}}, null::varchar as _file, null::bigint as _row from {{table}} r
where not exists (select 1 from {{typed}} i where {{key_match}})
union all
select {{i_columns}}, i._file, i._row from {{typed}} i
