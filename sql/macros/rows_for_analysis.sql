-- The analysis rows, derived from the clinical tables: one definition each, as table macros over the
-- patients `only_patients` (a list of patient IDs; null for every patient), so that a write re-derives just
-- the patients it touched. registry.analysis_tables stores their rows in analysis_timepoints and
-- analysis_patients; the views live_timepoint_scores and live_patient_analysis show them for every patient.
-- Created after netpet_labels.sql (file order), whose macros they call.

-- timepoint_score_rows: one row per patient x dual-PET timepoint, with the recorded, derived and used score
-- (setting score_source: auto = derived when lesion reads exist, else recorded).
-- Depends on: timepoints, pet_scans, derived_scores, settings.
create or replace macro timepoint_score_rows(only_patients) as table
with scoped as (
    select * from timepoints where only_patients is null or patient_id in (select unnest(only_patients))
),
source as (
    select coalesce((select value from settings where name = 'score_source'), 'auto') as score_source
),
paired as (
    select
        t.timepoint_id,
        t.patient_id,
        t.sstr_scan_id,
        t.fdg_scan_id,
        s.tracer as sstr_tracer,
        s.scan_date as sstr_scan_date,
        f.scan_date as fdg_scan_date,
        greatest(s.scan_date, f.scan_date) as timepoint_date,
        abs(date_diff('day', s.scan_date, f.scan_date)) as pairing_gap_days,
        t.recorded_score,
        d.derived_score,
        d.p4_subclass,
        d.lesion_count
    from scoped as t
    join pet_scans as s on s.scan_id = t.sstr_scan_id
    join pet_scans as f on f.scan_id = t.fdg_scan_id
    -- Scoped too: the right side of a left join is hashed whole (millions of rows for one patient).
    left join (
        select * from derived_scores
        where only_patients is null or timepoint_id in (select timepoint_id from scoped)
    ) as d on d.timepoint_id = t.timepoint_id
),
scored as (
    select
        p.*,
        case source.score_source
            when 'recorded' then p.recorded_score
            when 'derived' then p.derived_score
            else coalesce(p.derived_score, p.recorded_score)
        end as score,
        -- Null when the timepoint has no score to use (e.g. source 'derived' and no lesion reads).
        case
            when source.score_source = 'recorded' then case when p.recorded_score is not null then 'recorded' end
            when source.score_source = 'derived' then case when p.derived_score is not null then 'derived' end
            when p.derived_score is not null then 'derived'
            when p.recorded_score is not null then 'recorded'
        end as score_origin
    from paired as p, source
)
select
    timepoint_id,
    patient_id,
    row_number() over (partition by patient_id order by timepoint_date, timepoint_id) as timepoint_number,
    timepoint_date,
    sstr_scan_id,
    fdg_scan_id,
    sstr_tracer,
    sstr_scan_date,
    fdg_scan_date,
    pairing_gap_days,
    recorded_score,
    derived_score,
    p4_subclass,
    lesion_count,
    score,
    netpet_score_label(score) as netpet_score,
    netpet_group_label(score) as netpet_group,
    score_origin
from scored;

-- patient_analysis_rows: one row per patient. Origin = first dual-PET timepoint; follow-up ends at death,
-- else at the latest outcome or scan date. OS, PFS and TTP in days from the origin, plus OS from diagnosis;
-- baseline score = the first timepoint's. Depends on: patients, outcomes, pet_scans, timepoint_scores
-- (the stored timepoint rows, which a refresh re-derives first).
create or replace macro patient_analysis_rows(only_patients) as table
with deaths as (
    select patient_id, min(outcome_date) as death_date, count(*) as death_records
    from outcomes
    where outcome = 'death' and (only_patients is null or patient_id in (select unnest(only_patients)))
    group by patient_id
),
contact as (
    select patient_id, max(d) as last_known_date
    from (
        select patient_id, outcome_date as d from outcomes
        where only_patients is null or patient_id in (select unnest(only_patients))
        union all
        select patient_id, scan_date as d from pet_scans
        where only_patients is null or patient_id in (select unnest(only_patients))
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
    where only_patients is null or patient_id in (select unnest(only_patients))
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
    where (only_patients is null or p.patient_id in (select unnest(only_patients)))
),
progression as (
    select o.patient_id, min(o.outcome_date) as progression_date
    from outcomes as o
    join timepoints as t using (patient_id)
    where o.outcome = 'progression' and o.outcome_date > t.first_timepoint_date
        and (only_patients is null or o.patient_id in (select unnest(only_patients)))
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
