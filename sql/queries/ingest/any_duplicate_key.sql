-- Whether any key of a parsed file may repeat: a key hash (one integer each, cheap to group) given twice. Only
-- then does check_duplicate_keys.sql look for the rows, so that a valid file is read once. Grouping the hashes
-- cost about 40% less CPU than counting the distinct ones (55M lesion keys under the import's memory cap).
select exists (
    select 1
    from {{typed}} i
    where {{keys_present}}
    group by hash({{i_keys}})
    having count(*) > 1
)
