-- The date format an import accepts beside ISO (netpet import --date-format), read by fragments/parse_date.sql;
-- null = ISO dates only.
set variable netpet_date_format = $date_format::varchar
