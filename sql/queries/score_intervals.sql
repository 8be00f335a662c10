-- Counting-process intervals of the score in force, read by analysis.longitudinal.score_intervals.
select * from score_intervals order by patient_id, interval_number
