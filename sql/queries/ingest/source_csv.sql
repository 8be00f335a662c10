-- One CSV file as written, every column text, read by parse_file.sql: RFC 4180 dialect, header row.
-- $columns maps the header's names to VARCHAR; strict mode turns ragged rows and bad quoting into errors.
read_csv(
    $path, columns = $columns, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    strict_mode = true, null_padding = false, encoding = 'utf-8'
)
