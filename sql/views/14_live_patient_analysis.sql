-- live_patient_analysis: one row per patient with the dates that bound follow-up and the survival
-- endpoints, derived on every read from the clinical tables and the stored timepoint rows. Its rows are
-- stored in analysis_patients (read through patient_followup and patient_survival) by
-- registry.analysis_tables; the audit compares the two.
-- Origin = first dual-PET timepoint; follow-up ends at death, else at the latest outcome or scan date.
-- OS, PFS and TTP in days from the origin, plus OS from diagnosis; baseline score = the first timepoint's.
-- Depends on: patients, outcomes, pet_scans, timepoint_scores.
create or replace view live_patient_analysis as
with deaths as (
    select patient_id, min(outcome_date) as death_date, count(*) as death_records
    from outcomes where outcome = 'death' group by patient_id
),
contact as (
    select patient_id, max(d) as last_known_date
    from (
        select patient_id, outcome_date as d from outcomes
        union all
        select patient_id, scan_date as d from pet_scans
    ) group by patient_id
),
timepoints as (
    select
        patient_id,
        min(timepoint_date) as first_timepoint_date,
        count(*) as timepoint_count,
        any_value(score) filter (where timepoint_number = 1) as score,
        any_value(netpet_score) filter (where timepoint_number = 1) as netpet_score,
        any_value(netpet_group) filter (where timepoint_number = 1) as netpet_group,
        any_value(score_origin) filter (where timepoint_number = 1) as score_origin
    from timepoint_scores
    group by patient_id
),
followup as (
    select
        p.*,
        t.first_timepoint_date,
        coalesce(t.timepoint_count, 0) as timepoint_count,
        t.score as baseline_score,
        t.netpet_score,
        t.netpet_group,
        t.score_origin,
        d.death_date,
        coalesce(d.death_records, 0) as death_records,
        coalesce(d.death_date, c.last_known_date) as followup_end_date,
        d.death_date is not null as is_dead
    from patients as p
    left join deaths as d using (patient_id)
    left join contact as c using (patient_id)
    left join timepoints as t using (patient_id)
),
progression as (
    select o.patient_id, min(o.outcome_date) as progression_date
    from outcomes as o
    join timepoints as t using (patient_id)
    where o.outcome = 'progression' and o.outcome_date > t.first_timepoint_date
    group by all
)
select
    f.patient_id,
    f.site,
    f.sex,
    f.birth_date,
    f.diagnosis_date,
    f.primary_site,
    f.who_grade,
    f.ki67_percent,
    f.first_timepoint_date as origin_date,
    f.timepoint_count,
    date_diff('day', f.birth_date, f.first_timepoint_date) / 365.25 as age_at_origin,
    date_diff('day', f.birth_date, f.diagnosis_date) / 365.25 as age_at_diagnosis,
    f.baseline_score,
    f.netpet_score,
    f.netpet_group,
    f.score_origin,
    f.death_date,
    f.followup_end_date,
    pr.progression_date,
    date_diff('day', f.first_timepoint_date, f.followup_end_date) as os_days,
    f.is_dead as os_event,
    date_diff('day', f.diagnosis_date, f.followup_end_date) as os_from_diagnosis_days,
    date_diff('day', f.first_timepoint_date, coalesce(least(pr.progression_date, f.death_date), pr.progression_date, f.followup_end_date)) as pfs_days,
    (pr.progression_date is not null or f.is_dead) as pfs_event,
    date_diff('day', f.first_timepoint_date, coalesce(pr.progression_date, f.followup_end_date)) as ttp_days,
    pr.progression_date is not null as ttp_event,
    f.death_records
from followup as f
left join progression as pr using (patient_id);

comment on view live_patient_analysis is 'Derived live (stored in analysis_patients): one row per patient with first dual-PET timepoint, baseline NETPET score, end of follow-up, and OS/PFS/TTP in days from the first timepoint.';
