-- The registry-schema baseline of benchmarks/import_throughput.py: plain read_csv inserts into the same
-- constrained tables (primary keys, foreign keys, indexes), no validation, no change log.
insert into patients (patient_id, site, sex, birth_date, diagnosis_date, primary_site, who_grade, ki67_percent)
select patient_id, site, sex, birth_date, diagnosis_date, primary_site, who_grade, ki67_percent
from read_csv($patients);
insert into pet_scans (scan_id, patient_id, tracer, scan_date)
select scan_id, patient_id, tracer, scan_date from read_csv($pet_scans);
insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score)
select timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, cast(right(netpet_score, 1) as tinyint)
from read_csv($timepoints)
