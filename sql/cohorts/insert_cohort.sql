-- Record a built cohort: its definition, hash, entry event, censoring date and the registry state.
insert into cohorts (name, definition, definition_sha256, registry_state, entry_event, end_of_followup_date,
                     member_count)
values ($name, $definition, $definition_sha256, $registry_state, $entry_event, $end_of_followup,
        (select count(*) from cohort_candidates));
