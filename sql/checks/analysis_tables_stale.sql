-- analysis_tables_stale: stored analysis rows (tables analysis_timepoints and analysis_patients, read by
-- every analysis) that differ from their live derivation (views live_timepoint_scores, live_patient_analysis).
-- Why: every write through netpet refreshes them in its own transaction; a difference means the clinical
-- tables were changed some other way (SQL typed into the file), and analyses would use the old rows until
-- `netpet migrate --refresh-analysis` re-derives them.
-- Severity error: survival analyses and cohorts read the stored rows.
with timepoints as (
    (select * from live_timepoint_scores except all select * from analysis_timepoints)
    union all
    (select * from analysis_timepoints except all select * from live_timepoint_scores)
),
patients as (
    (select * from live_patient_analysis except all select * from analysis_patients)
    union all
    (select * from analysis_patients except all select * from live_patient_analysis)
)
select distinct
    'error' as severity,
    patient_id,
    timepoint_id as record_id,
    'stored timepoint analysis row differs from the clinical tables: run `netpet migrate --refresh-analysis`'
        as message
from timepoints
union all
select distinct
    'error',
    patient_id,
    patient_id,
    'stored patient analysis row differs from the clinical tables: run `netpet migrate --refresh-analysis`'
from patients;
