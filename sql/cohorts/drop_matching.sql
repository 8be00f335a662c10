-- An exclusion criterion: drop the candidates `c` for whom the criterion fragment is true.
delete from cohort_candidates as c
where {predicate};
