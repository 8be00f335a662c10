-- The number of candidates left in the cohort build under way.
select count(*) as n from cohort_candidates;
