-- Stage one CSV file as text, exactly as written: RFC 4180 dialect, header row, every column VARCHAR.
-- $columns maps the header's names to VARCHAR; strict mode turns ragged rows and bad quoting into errors.
create or replace temp table {{stage}} as
select * from read_csv(
    $path, columns = $columns, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    strict_mode = true, null_padding = false, encoding = 'utf-8'
)
