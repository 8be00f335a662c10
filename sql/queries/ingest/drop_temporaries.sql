-- Drop one table's import temporaries.
drop view if exists {{all}};
drop view if exists {{typed}};
drop table if exists {{parsed}};
reset variable {{name}}
