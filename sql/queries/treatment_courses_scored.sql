-- Every course of $treatment with the score before it, read by analysis.longitudinal.prrt_given_to_p5.
select * from treatment_scores where treatment = $treatment order by patient_id, start_date, treatment_id
