-- While a first load's checks run, its table as the registry held it before the import: empty (the rows
-- written are read as the import's, through parsed_from_table.sql). An unqualified name resolves to a temp
-- object first, so every check and view reads this; drop_shadow.sql removes it before the write goes on.
create temp view {{table}} as select * from {{target}} where false
