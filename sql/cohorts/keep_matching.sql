-- An inclusion criterion: drop the candidates `c` for whom the criterion fragment is false or unknown
-- (a missing value never satisfies a criterion).
delete from cohort_candidates as c
where not coalesce(({predicate}), false);
