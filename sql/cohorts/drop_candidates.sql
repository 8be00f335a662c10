-- End a cohort build: drop the working table of candidates.
drop table if exists temp.cohort_candidates;
