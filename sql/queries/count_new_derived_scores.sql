-- How many scores score_timepoints.sql derived, and how many reads among them could not be scored.
select count(*) as scores, sum(unscorable) as unscorable from _new_derived_scores
