-- How many rows the parse of one file yielded (compared with the file's non-empty lines).
select count(*) as n from {{parsed}}
