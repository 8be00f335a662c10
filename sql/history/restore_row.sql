-- Put one deleted record back from its logged JSON. {{table}} is a table name from registry.columns
-- (never user input); the values and their $structure are bound.
insert into {{table}} by name
select unnest(json_transform($before, $structure))
