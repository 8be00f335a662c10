-- Precheck of analysis_tables_stale: whether any stored analysis row may differ from its live derivation.
-- Why: re-deriving every analysis row costs ~9 s of CPU at a million patients. Every refresh records, per
-- patient, the sum of the hashes of the rows the analysis rows come from and of the stored rows themselves
-- (analysis_digests, over view analysis_digest_rows). If the same sum over the rows as they are now is equal,
-- no row changed since they were derived together, so none can be stale (up to a 64-bit hash collision);
-- a row edited, added or deleted outside netpet, or a registry whose digests were never recorded, gives
-- may_fail true, and the check then compares the rows themselves.
select
    (select coalesce(sum(digest::hugeint), 0) from analysis_digests) % 9223372036854775807
    <> (select coalesce(sum(row_hash::hugeint), 0) from analysis_digest_rows) % 9223372036854775807
    as may_fail;
