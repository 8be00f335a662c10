-- The date format an import accepts beside ISO (netpet import --date-format), read by column_sql.parse_date;
-- null = ISO dates only.
set variable netpet_date_format = $date_format::varchar
