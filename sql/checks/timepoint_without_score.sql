-- timepoint_without_score: dual-PET timepoints with neither a recorded NETPET score nor lesion reads to
-- derive one from.
-- Why: such a timepoint cannot enter a score-based analysis; the reader's score or the reads are missing.
-- Severity warning: the patient's other timepoints remain usable.
select
    'warning' as severity,
    patient_id,
    timepoint_id as record_id,
    'no recorded NETPET score and no lesion reads to derive one' as message
from timepoint_scores
where recorded_score is null and derived_score is null
