-- Per patient treated with $treatment: the score before the first course and the scored timepoints after its
-- start (how many, whether any is P5, the first P5 date). Read by analysis.longitudinal.discordant_after_treatment.
with first_course as (
    select * from treatment_scores where treatment = $treatment and course_number = 1
)
select
    c.patient_id,
    c.start_date,
    c.netpet_score as score_before,
    count(s.timepoint_id) as timepoints_after,
    coalesce(bool_or(s.score = 5), false) as p5_after,
    min(case when s.score = 5 then s.timepoint_date end) as first_p5_date
from first_course as c
left join timepoint_scores as s
    on s.patient_id = c.patient_id and s.timepoint_date > c.start_date and s.score is not null
group by c.patient_id, c.start_date, c.netpet_score
order by c.patient_id
