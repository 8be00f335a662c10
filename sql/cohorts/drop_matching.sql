-- An exclusion criterion: drop the candidates `c` for whom the criterion fragment is true (a missing value
-- never excludes).
delete from cohort_candidates as c
where coalesce(({predicate}), false);
