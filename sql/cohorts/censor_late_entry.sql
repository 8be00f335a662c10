-- Administrative censoring: a candidate who enters after the end of follow-up has no time at risk.
delete from cohort_candidates
where entry_date > $end_of_followup;
