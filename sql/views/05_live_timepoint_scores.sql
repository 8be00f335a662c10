-- live_timepoint_scores: one row per patient x dual-PET timepoint, with the recorded, derived and used
-- score, derived from the clinical tables on every read. Its rows are stored in analysis_timepoints (read
-- through the view timepoint_scores) by registry.analysis_tables; the audit compares the two.
-- Depends on: timepoints, pet_scans, derived_scores, settings.
create or replace view live_timepoint_scores as
with source as (
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
    from timepoints as t
    join pet_scans as s on s.scan_id = t.sstr_scan_id
    join pet_scans as f on f.scan_id = t.fdg_scan_id
    left join derived_scores as d on d.timepoint_id = t.timepoint_id
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

comment on view live_timepoint_scores is 'Derived live from the clinical tables (stored in analysis_timepoints): one row per patient x dual-PET timepoint: scan dates, recorded and derived NETPET score, the score analyses use (P0-P5) and its group (P1, P2-4, P5; P0 separate).';
