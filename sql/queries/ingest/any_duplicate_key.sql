-- Whether any key of a parsed file may repeat: fewer distinct key hashes (one integer each, cheap to count)
-- than keys. Only then does check_duplicate_keys.sql look for the rows, so that a valid file is read once.
select count(*) <> count(distinct hash({{i_keys}}))
from {{typed}} i
where {{keys_present}}
