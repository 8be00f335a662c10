-- recorded_score_mismatch: timepoints whose recorded NETPET score differs from the score derived from
-- the lesion reads (registry.scoring, the rule of Chan et al. 2017).
-- Why: either the reads or the physician's score was entered wrongly; analyses use the derived score by
-- default, so the disagreement needs a reader's review. Severity warning.
select
    'warning' as severity,
    patient_id,
    timepoint_id as record_id,
    'recorded score P' || recorded_score || ' differs from derived score P' || derived_score as message
from timepoint_scores
where recorded_score is not null and derived_score is not null and recorded_score <> derived_score
