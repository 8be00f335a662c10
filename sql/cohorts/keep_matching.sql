-- An inclusion criterion: drop the candidates `c` for whom the criterion fragment is false.
delete from cohort_candidates as c
where not ({predicate});
