-- OS and PFS in days from the first course of $treatment, with the score before it; one row per treated patient.
-- Progression counts only when dated after the treatment start. Read by analysis.longitudinal.treatment_outcomes.
with first_course as (
    select * from treatment_scores where treatment = $treatment and course_number = 1
),
progression as (
    select c.patient_id, min(o.outcome_date) as progression_date
    from first_course as c
    join outcomes as o on o.patient_id = c.patient_id and o.outcome = 'progression' and o.outcome_date > c.start_date
    group by c.patient_id
)
select
    c.patient_id,
    c.treatment_id,
    c.start_date,
    c.timepoint_id,
    c.timepoint_date,
    c.score,
    c.netpet_score,
    c.netpet_group,
    f.death_date,
    f.followup_end_date,
    p.progression_date,
    date_diff('day', c.start_date, f.followup_end_date) as os_days,
    f.is_dead as os_event,
    date_diff('day', c.start_date,
        coalesce(least(p.progression_date, f.death_date), p.progression_date, f.followup_end_date)) as pfs_days,
    (p.progression_date is not null or f.is_dead) as pfs_event
from first_course as c
join patient_followup as f using (patient_id)
left join progression as p using (patient_id)
order by c.patient_id
