-- Record the digest of the patients $ids (every patient when $ids is null): the sum of their rows' hashes in
-- analysis_digest_rows, modulo 2^63 - 1 so that it fits a bigint (sums of digests are compared modulo the same).
-- Run after the patients' analysis rows are stored: the digest covers them.
insert into analysis_digests
select patient_id, (sum(row_hash::hugeint) % 9223372036854775807)::bigint
from analysis_digest_rows
where $ids is null or patient_id in (select unnest($ids))
group by patient_id;
