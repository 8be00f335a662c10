-- Fails (InvalidInputException) when $date_format is not a strptime format DuckDB understands.
select try_strptime('2000-01-01', $date_format)
