-- treatment_scores: one row per treatment course with the NETPET score of the last dual-PET timepoint on or
-- before its start (the score the treatment decision saw), and the course's number among the patient's
-- courses of the same treatment (1 = first).
-- Read by analysis.longitudinal (treatment by score, PRRT given to P5 patients, discordance after PRRT).
-- Depends on: treatments, timepoint_scores.
create or replace view treatment_scores as
with courses as (
    select
        t.*,
        row_number() over (partition by t.patient_id, t.treatment order by t.start_date, t.treatment_id)
            as course_number
    from treatments as t
),
before as (
    select
        c.treatment_id,
        s.timepoint_id,
        s.timepoint_date,
        s.score,
        s.netpet_score,
        s.netpet_group
    from courses as c
    join timepoint_scores as s on s.patient_id = c.patient_id and s.timepoint_date <= c.start_date
    qualify row_number() over (partition by c.treatment_id order by s.timepoint_date desc, s.timepoint_id desc) = 1
)
select
    c.treatment_id,
    c.patient_id,
    c.treatment,
    c.course_number,
    c.start_date,
    c.end_date,
    c.cycles,
    c.activity_gbq,
    c.stop_reason,
    b.timepoint_id,
    b.timepoint_date,
    date_diff('day', b.timepoint_date, c.start_date) as days_since_timepoint,
    b.score,
    b.netpet_score,
    b.netpet_group
from courses as c
left join before as b using (treatment_id);

comment on view treatment_scores is 'One row per treatment course with its number among the patient''s courses of that treatment and the NETPET score of the last dual-PET timepoint on or before its start.';
