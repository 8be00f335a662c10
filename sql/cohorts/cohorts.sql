-- Every saved cohort, newest first, without its definition text.
select name, entry_event, end_of_followup_date, member_count, built_at, definition_sha256
from cohorts
order by built_at desc, name;
