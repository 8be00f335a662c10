-- Every stored registry setting (absent = the default in registry.db.DEFAULT_SETTINGS). All of them, a few
-- rows, rather than one by a bound name: binding text makes DuckDB's Python client import pandas.
select name, value from settings
