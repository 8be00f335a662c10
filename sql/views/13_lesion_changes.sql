-- lesion_changes: one row per patient x lesion x timepoint with lesion reads, tracking each lesion (by
-- lesion_id) across the patient's read timepoints: its class, the class at the previous read timepoint, and
-- status baseline (first read timepoint), new (not read at the previous one), persisting (same class),
-- changed (other class; change = worse/better) or resolved (read before, not read now; one row, class null).
-- Timepoints without lesion reads are skipped: a recorded score alone says nothing about lesions.
-- Read by registry.lesions and `netpet score --patient`. Depends on: timepoint_scores, lesion_classes.
create or replace view lesion_changes as
with read as (
    select
        t.patient_id, t.timepoint_number, t.timepoint_id, t.timepoint_date, t.derived_score,
        c.lesion_id, c.location, c.lesion_class, c.class_score
    from lesion_classes as c
    join timepoint_scores as t on t.timepoint_id = c.timepoint_id
),
read_timepoints as (
    select distinct patient_id, timepoint_number, timepoint_id, timepoint_date, derived_score from read
),
grid as (
    select t.*, l.lesion_id
    from read_timepoints as t
    join (select distinct patient_id, lesion_id from read) as l on l.patient_id = t.patient_id
),
tracked as (
    select
        g.patient_id,
        g.timepoint_number,
        g.timepoint_id,
        g.timepoint_date,
        g.lesion_id,
        coalesce(r.location, lag(r.location) over w) as location,
        r.lesion_class,
        r.class_score,
        lag(r.lesion_class) over w as previous_class,
        lag(r.class_score) over w as previous_class_score,
        row_number() over w = 1 as is_first_read_timepoint,  -- the grid holds every read timepoint
        r.class_score = g.derived_score as sets_score
    from grid as g
    left join read as r
        on r.patient_id = g.patient_id and r.timepoint_id = g.timepoint_id and r.lesion_id = g.lesion_id
    window w as (partition by g.patient_id, g.lesion_id order by g.timepoint_number)
)
select
    patient_id,
    timepoint_number,
    timepoint_id,
    timepoint_date,
    lesion_id,
    location,
    lesion_class,
    class_score,
    previous_class,
    case
        when lesion_class is null then 'resolved'
        when is_first_read_timepoint then 'baseline'
        when previous_class is null then 'new'
        when previous_class = lesion_class then 'persisting'
        else 'changed'
    end as status,
    case
        when class_score > previous_class_score then 'worse'
        when class_score < previous_class_score then 'better'
    end as change,
    coalesce(sets_score, false) as sets_score
from tracked
where lesion_class is not null or previous_class is not null;

comment on view lesion_changes is 'One row per patient x lesion x read timepoint: the lesion class, its class at the previous read timepoint, and whether it is baseline, new, persisting, changed (worse/better) or resolved.';
