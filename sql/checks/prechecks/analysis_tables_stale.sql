-- Precheck of analysis_tables_stale: whether any stored analysis row may differ from its live derivation.
-- Why: at a million patients, grouping every live and stored row to find the differing ones took ~5 s of
-- the audit's CPU; a digest of each side (its row count and the sum of its rows' hashes, signed +1 live and
-- -1 stored like the check's grouping) costs one pass. Equal rows hash equally (the hash is the one the
-- check's grouping uses), so a stale registry always has may_fail true and the check then names its rows;
-- false means both sides hold the same rows (up to a 64-bit hash collision).
with timepoint_sides as (
    select *, 1 as _side from live_timepoint_scores
    union all
    select *, -1 from analysis_timepoints
),
patient_sides as (
    select *, 1 as _side from live_patient_analysis
    union all
    select *, -1 from analysis_patients
),
digests as (
    select sum(_side) as row_count, sum(hash(*columns(* exclude (_side)))::hugeint * _side) as hash_sum
    from timepoint_sides
    union all
    select sum(_side), sum(hash(*columns(* exclude (_side)))::hugeint * _side)
    from patient_sides
)
select coalesce(bool_or(row_count <> 0 or hash_sum <> 0), false) as may_fail
from digests;
