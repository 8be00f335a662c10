-- analysis_digest_rows: one hash per row of each table the stored analysis rows are derived from (patients,
-- timepoints, pet_scans, outcomes, derived_scores through their timepoint, and with no patient the setting
-- score_source: keep in step with the derivation's inputs) and of the stored rows (analysis_timepoints,
-- analysis_patients), keyed by patient. Summed per patient into analysis_digests by
-- every refresh, and over all rows by the audit's stale-rows precheck: equal sums mean that no row changed
-- since the stored rows were derived (up to a 64-bit hash collision).
-- Depends on: patients, timepoints, pet_scans, outcomes, derived_scores, settings, analysis_timepoints,
-- analysis_patients.
create or replace view analysis_digest_rows as
select patient_id, hash(*columns(*)) as row_hash from patients
union all
select patient_id, hash(*columns(*)) from timepoints
union all
select patient_id, hash(*columns(*)) from pet_scans
union all
select patient_id, hash(*columns(*)) from outcomes
union all
select t.patient_id, d.row_hash
from (select timepoint_id, hash(*columns(*)) as row_hash from derived_scores) as d
join timepoints as t using (timepoint_id)
union all
select null, hash(*columns(*)) from settings where name = 'score_source'
union all
select patient_id, hash(*columns(*)) from analysis_timepoints
union all
select patient_id, hash(*columns(*)) from analysis_patients;

comment on view analysis_digest_rows is 'One hash per row of the tables the stored analysis rows come from and of the stored rows, by patient: what analysis_digests sums.';
