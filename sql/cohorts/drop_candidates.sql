-- End a cohort build: drop its working tables.
drop table if exists temp.cohort_candidates;
