-- Cells of one column that are empty though required, too long, hold control characters, are
-- unparseable, or are out of range. The value is cut to $shown characters: a message never carries a
-- 10 MB cell. A text cell starting with a formula character does not parse (see column_sql.parse_text).
-- {{raw}} is the cell's text where parse_file.sql kept it (column_sql.raw_kept; a text column's value is its
-- text, column_sql.raw_text): an empty cell has neither value nor text.
select _row as row,
    case when length({{raw}}) > $shown then left({{raw}}, $shown - 3) || '...' else {{raw}} end as value,
    length({{raw}}) as length,
    case
        when {{raw}} is null then 'required'
        when length({{raw}}) > $max_chars then 'too_long'
        when regexp_matches({{raw}}, $control) then 'control'
        when {{parsed}} is null then 'parse'
        else 'range'
    end as problem
from {{typed}}
where ($required and {{parsed}} is null and {{raw}} is null)
    or ({{raw}} is not null and {{parsed}} is null)
    or length({{raw}}) > $max_chars
    or regexp_matches({{raw}}, $control)
    or ({{range}})
order by _row
