-- Remove a first load's stand-in for its table (shadow_table.sql), so that what follows reads the table.
drop view if exists temp.main.{{table}}
