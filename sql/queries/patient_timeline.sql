-- One patient's timeline ($patient_id): every timepoint with its scores, and each tracked lesion in it
-- (resolved lesions included); a timepoint without lesion reads has one row with null lesion columns.
select
    t.timepoint_number,
    t.timepoint_id,
    t.timepoint_date,
    t.recorded_score,
    t.derived_score,
    t.p4_subclass,
    t.score,
    t.score_origin,
    t.netpet_group,
    l.lesion_id,
    l.location,
    l.lesion_class,
    l.previous_class,
    l.status,
    l.change,
    l.sets_score
from timepoint_scores as t
left join lesion_changes as l on l.timepoint_id = t.timepoint_id
where t.patient_id = $patient_id
order by t.timepoint_number, l.class_score desc nulls last, l.status, l.lesion_id
