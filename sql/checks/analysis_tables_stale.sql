-- analysis_tables_stale: stored analysis rows (tables analysis_timepoints and analysis_patients, read by
-- every analysis) that differ from their live derivation (views live_timepoint_scores, live_patient_analysis).
-- Why: every write through netpet refreshes them in its own transaction; a difference means the clinical
-- tables were changed some other way (SQL typed into the file), and analyses would use the old rows until
-- `netpet migrate --refresh-analysis` re-derives them.
-- Severity error: survival analyses and cohorts read the stored rows.
-- A row differs when the live and stored sides hold it a different number of times: one grouping of both sides
-- counted +1 and -1, rather than an EXCEPT ALL each way. The grouping is by the row's IDs and its hash, not by
-- all its columns: rows that differ hash differently (up to a 64-bit collision, as in the precheck). The
-- precheck skips this check when no row changed since the stored rows were derived.
with timepoints as (
    select patient_id, timepoint_id from (
        select patient_id, timepoint_id, hash(*columns(*)) as row_hash, 1 as _side from live_timepoint_scores
        union all
        select patient_id, timepoint_id, hash(*columns(*)), -1 from analysis_timepoints
    )
    group by patient_id, timepoint_id, row_hash
    having sum(_side) <> 0
),
patients as (
    select patient_id from (
        select patient_id, hash(*columns(*)) as row_hash, 1 as _side from live_patient_analysis
        union all
        select patient_id, hash(*columns(*)), -1 from analysis_patients
    )
    group by patient_id, row_hash
    having sum(_side) <> 0
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
