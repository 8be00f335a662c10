-- A first load: parse a file (the same pieces as parse_file.sql) straight into its registry table, which holds
-- no row yet, inside the import's transaction, each row carrying the batch id. The table is written once
-- instead of staged and then copied (at tens of millions of rows the copy cost as much as the parse). A row
-- with any problem any_cell_problem.sql would report (the problems slot: cell_checks.cell_problem, told from
-- each cell's text and value as no text is kept) stops the statement, as does a CSV error or a broken
-- constraint; the import then rolls back and is validated the staged way, which reports it.
insert into {{target}} ({{stored_names}}, batch_id)
with raw as (select {{raw_columns}} from {{source}} where {{read_all}}),
typed as (select {{raw_names}}, {{parsed_columns}} from raw)
select {{stored_names}}, case when {{problems}} then error('a cell does not parse or fit') else $batch_id end
from typed
