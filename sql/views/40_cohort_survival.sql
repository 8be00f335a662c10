-- cohort_survival: one row per saved cohort x member, with follow-up measured from the cohort's entry date.
-- OS, PFS and TTP run in days from entry_date to the member's end_of_followup_date, which already applies
-- the cohort's administrative censoring: an event after it is censored there. The NETPET score at entry is
-- that of the latest scored timepoint at or before entry (strictly before, for PRRT entry), as the cohort
-- criterion `score_at_entry` reads it. Read by analyses restricted to a cohort (`--cohort NAME`) and
-- `netpet query`. Depends on: cohorts, cohort_members, patient_survival, timepoint_scores, outcomes.
create or replace view cohort_survival as
with members as (
    select m.cohort_name, m.patient_id, m.entry_date, m.end_of_followup_date, c.entry_event
    from cohort_members as m
    join cohorts as c on c.name = m.cohort_name
),
entry_scores as (
    select m.cohort_name, m.patient_id, arg_max(tp.score, tp.timepoint_number) as entry_score
    from members as m
    join timepoint_scores as tp on tp.patient_id = m.patient_id
    where tp.score is not null
        and (tp.timepoint_date < m.entry_date
             or (tp.timepoint_date = m.entry_date and m.entry_event <> 'first_prrt'))
    group by all
),
progressions as (
    select m.cohort_name, m.patient_id, min(o.outcome_date) as progression_date
    from members as m
    join outcomes as o on o.patient_id = m.patient_id
    where o.outcome = 'progression' and o.outcome_date > m.entry_date
    group by all
),
events as (
    select
        m.*,
        coalesce(s.death_date <= m.end_of_followup_date, false) as os_event,
        coalesce(p.progression_date <= m.end_of_followup_date, false) as ttp_event,
        case when p.progression_date <= m.end_of_followup_date then p.progression_date end as progression_date,
        s.site, s.sex, s.birth_date, s.primary_site, s.who_grade, s.ki67_percent, s.death_date,
        e.entry_score
    from members as m
    join patient_survival as s using (patient_id)
    left join entry_scores as e using (cohort_name, patient_id)
    left join progressions as p using (cohort_name, patient_id)
)
select
    cohort_name,
    patient_id,
    entry_event,
    entry_date,
    end_of_followup_date,
    site,
    sex,
    primary_site,
    who_grade,
    ki67_percent,
    date_diff('day', birth_date, entry_date) / 365.25 as age_at_entry,
    entry_score,
    netpet_score_label(entry_score) as netpet_score,
    netpet_group_label(entry_score) as netpet_group,
    case when os_event then death_date end as death_date,
    progression_date,
    date_diff('day', entry_date, end_of_followup_date) as os_days,
    os_event,
    date_diff('day', entry_date, coalesce(progression_date, end_of_followup_date)) as pfs_days,
    ttp_event or os_event as pfs_event,
    date_diff('day', entry_date, coalesce(progression_date, end_of_followup_date)) as ttp_days,
    ttp_event
from events;

comment on view cohort_survival is 'One row per saved cohort x member: NETPET score and group at the cohort entry, covariates, and OS/PFS/TTP in days from the cohort entry date to the end of follow-up (administrative censoring applied), with event flags.';
