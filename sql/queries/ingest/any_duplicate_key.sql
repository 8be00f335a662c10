-- Whether any key of a parsed file may repeat: keys grouped by their hash (one integer, cheap to group). Only
-- then does check_duplicate_keys.sql look for the rows, so that a valid file is grouped once.
select exists (
    select hash({{i_keys}}) as h
    from {{typed}} i
    where {{keys_present}}
    group by h
    having count(*) > 1
)
