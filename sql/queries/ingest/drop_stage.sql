-- Drop a staged file once it has been parsed.
drop table if exists {{stage}}
