-- pairing_outside_window: dual-PET timepoints whose SSTR and FDG scans lie further apart than the pairing
-- window ($pairing_window_days, the registry setting; 31 days after Chan et al. 2017).
-- Why: a pair taken months apart does not describe one disease state, so its NETPET score is not valid.
-- Severity error: the timepoint enters every score-based analysis.
select
    'error' as severity,
    patient_id,
    timepoint_id as record_id,
    'SSTR and FDG scans are ' || pairing_gap_days || ' days apart (window ' || $pairing_window_days
        || ' days)' as message
from timepoint_scores
where pairing_gap_days > $pairing_window_days
