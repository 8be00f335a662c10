-- One saved cohort with its definition and the registry state it was built on.
select name, entry_event, end_of_followup_date, member_count, built_at, definition_sha256,
       cast(registry_state as varchar) as registry_state, definition
from cohorts
where name = $name;
