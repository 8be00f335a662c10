-- End a cohort build: drop its working copy of timepoint_scores.
drop table if exists temp.cohort_timepoints;
