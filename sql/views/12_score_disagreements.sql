-- score_disagreements: one row per timepoint whose recorded NETPET score differs from the derived one,
-- with the lesions that explain the difference: when the derived score is higher, the lesions whose class
-- implies more than the recorded score; when lower, the most adverse lesions read (which fall short).
-- Read by `netpet score --disagreements`, registry.lesions and audit reports.
-- Depends on: timepoint_scores, lesion_classes.
create or replace view score_disagreements as
with disagreeing as (
    select
        patient_id, timepoint_id, timepoint_number, timepoint_date, recorded_score, derived_score, p4_subclass,
        lesion_count
    from timepoint_scores
    where recorded_score is not null and derived_score is not null and recorded_score <> derived_score
),
explaining as (
    select
        d.timepoint_id,
        count(*) as explaining_count,
        string_agg(c.lesion_id || ' (' || c.lesion_class || ')', ', ' order by c.class_score desc, c.lesion_id)
            as explaining_lesions
    from disagreeing as d
    join lesion_classes as c on c.timepoint_id = d.timepoint_id
    where (d.derived_score > d.recorded_score and c.class_score > d.recorded_score)
       or (d.derived_score < d.recorded_score and c.class_score = d.derived_score)
    group by d.timepoint_id
)
select
    d.patient_id,
    d.timepoint_id,
    d.timepoint_number,
    d.timepoint_date,
    d.recorded_score,
    d.derived_score,
    d.p4_subclass,
    case when d.derived_score > d.recorded_score then 'derived_higher' else 'derived_lower' end as direction,
    d.lesion_count,
    coalesce(e.explaining_count, 0) as explaining_count,
    e.explaining_lesions
from disagreeing as d
left join explaining as e on e.timepoint_id = d.timepoint_id;

comment on view score_disagreements is 'One row per timepoint whose recorded NETPET score differs from the score derived from its lesion reads, with the lesions that explain the difference.';
