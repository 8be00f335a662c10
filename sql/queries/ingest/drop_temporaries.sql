-- Drop one table's import temporaries.
drop view if exists {{all}};
drop table if exists {{typed}}
