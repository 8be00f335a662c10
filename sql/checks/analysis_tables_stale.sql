-- analysis_tables_stale: stored analysis rows (tables analysis_timepoints and analysis_patients, read by
-- every analysis) that differ from their live derivation (views live_timepoint_scores, live_patient_analysis).
-- Why: every write through netpet refreshes them in its own transaction; a difference means the clinical
-- tables were changed some other way (SQL typed into the file), and analyses would use the old rows until
-- `netpet migrate --refresh-analysis` re-derives them.
-- Severity error: survival analyses and cohorts read the stored rows.
-- A row differs when the live and stored sides hold it a different number of times: one grouping of both sides
-- counted +1 and -1, rather than an EXCEPT ALL each way.
with timepoints as (
    select * exclude (_side) from (
        select *, 1 as _side from live_timepoint_scores
        union all
        select *, -1 from analysis_timepoints
    )
    group by all
    having sum(_side) <> 0
),
patients as (
    select * exclude (_side) from (
        select *, 1 as _side from live_patient_analysis
        union all
        select *, -1 from analysis_patients
    )
    group by all
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
