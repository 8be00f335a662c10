-- An empty stage for a table the import does not include, so that every check can read every table.
create or replace temp table {{stage}} as select 1 as _absent where false
