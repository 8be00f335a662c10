-- score_intervals: one row per patient x (start, stop] interval in which one NETPET score is in force.
-- Counting-process rows for a time-varying Cox model: the first interval starts at the origin (the first
-- dual-PET timepoint); each later timepoint starts a new interval, and the last ends at death or censoring.
-- As R's tmerge, a score dated on the end of follow-up starts no interval (nothing is at risk after it); a
-- single timepoint on the death date gives one zero-length interval, which analyses drop as coxph does.
-- Timepoints dated after death are not intervals: analysis.longitudinal refuses such registries.
-- Read by analysis.longitudinal. Depends on: timepoint_scores, patient_followup.
create or replace view score_intervals as
with changes as (
    select
        s.patient_id,
        s.timepoint_id,
        s.timepoint_date,
        s.score,
        s.netpet_score,
        s.netpet_group
    from timepoint_scores as s
    join patient_followup as f using (patient_id)
    where s.timepoint_number = 1 or s.timepoint_date < f.followup_end_date
),
bounded as (
    select
        c.*,
        row_number() over (partition by c.patient_id order by c.timepoint_date, c.timepoint_id) as interval_number,
        lead(c.timepoint_date) over (partition by c.patient_id order by c.timepoint_date, c.timepoint_id)
            as next_date
    from changes as c
)
select
    b.patient_id,
    b.interval_number,
    b.timepoint_id,
    f.first_timepoint_date as origin_date,
    b.timepoint_date as start_date,
    coalesce(b.next_date, f.followup_end_date) as stop_date,
    date_diff('day', f.first_timepoint_date, b.timepoint_date) as tstart_days,
    date_diff('day', f.first_timepoint_date, coalesce(b.next_date, f.followup_end_date)) as tstop_days,
    b.score,
    b.netpet_score,
    b.netpet_group,
    (b.next_date is null and f.is_dead) as event
from bounded as b
join patient_followup as f using (patient_id);

comment on view score_intervals is 'One row per patient x (start, stop] interval from the first dual-PET timepoint to death or censoring, with the NETPET score and group in force and event = death at the stop.';
