-- Per patient, a digest of the rows the stored analysis rows were derived from and of the stored rows
-- themselves (view analysis_digest_rows), written by every refresh of that patient's analysis rows; the row
-- with no patient digests the setting the derivation reads, written by every full refresh.
-- Why: the audit's stale-rows check re-derived every analysis row to compare it with the stored one (~9 s of
-- CPU at a million patients). Comparing the recorded digests with the same digests of the rows as they are now
-- costs one pass over the tables (~1 s); the full comparison runs only when they differ, as after an edit made
-- outside netpet. Registries migrated from before have no digests until their next full refresh (an import
-- or `netpet migrate --refresh-analysis`), so their audit runs the full comparison.
create table analysis_digests (
    patient_id varchar,
    digest bigint
);
