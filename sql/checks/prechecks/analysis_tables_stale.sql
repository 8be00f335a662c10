-- Precheck of analysis_tables_stale: whether any stored analysis row may differ from its live derivation.
-- Why: at a million patients, grouping every live and stored row to find the differing ones took ~5 s of
-- the audit's CPU; a digest of each side (its row count and the sum of its rows' hashes) costs one pass.
-- Equal rows hash equally (the hash is the one the check groups by), so a stale registry always has may_fail
-- true and the check then names its rows; false means both sides hold the same rows (up to a 64-bit hash
-- collision). The live rows' hashes are in the temp tables of checks/prepare/analysis_tables_stale.sql.
with digests as (
    select
        (select count(*) from stale_live_timepoints) - (select count(*) from analysis_timepoints) as row_count,
        (select coalesce(sum(row_hash::hugeint), 0) from stale_live_timepoints)
            - (select coalesce(sum(hash(*columns(*))::hugeint), 0) from analysis_timepoints) as hash_sum
    union all
    select
        (select count(*) from stale_live_patients) - (select count(*) from analysis_patients),
        (select coalesce(sum(row_hash::hugeint), 0) from stale_live_patients)
            - (select coalesce(sum(hash(*columns(*))::hugeint), 0) from analysis_patients)
)
select bool_or(row_count <> 0 or hash_sum <> 0) as may_fail
from digests;
