-- Synthetic interchange tables for benchmarks/import_throughput.py: $timepoints timepoints, four per
-- patient, each pairing an SSTR scan with an FDG scan a week later.
create or replace temp table bench_patients as
select 'P' || p as patient_id, 'site' || (p % 20) as site, ['female', 'male'][1 + p % 2] as sex,
    date '1940-01-01' + (p % 10000)::integer as birth_date, date '2005-01-01' + (p % 3000)::integer as diagnosis_date,
    'pancreas' as primary_site, ['G1', 'G2', 'G3'][1 + p % 3] as who_grade, (p % 50) + 0.5 as ki67_percent
from generate_series(1, ($timepoints + 3) // 4) s(p);

create or replace temp table bench_timepoints as
select 'T' || t as timepoint_id, 'P' || ((t - 1) // 4 + 1) as patient_id, 'S' || t || 'a' as sstr_scan_id,
    'S' || t || 'b' as fdg_scan_id, 'P' || (t % 6) as netpet_score,
    date '2005-01-01' + (((t - 1) // 4 + 1) % 3000)::integer + 100 + 200 * ((t - 1) % 4)::integer as sstr_date
from generate_series(1, $timepoints) s(t);

create or replace temp table bench_pet_scans as
select sstr_scan_id as scan_id, patient_id, 'ga68_dotatate' as tracer, sstr_date as scan_date from bench_timepoints
union all
select fdg_scan_id, patient_id, 'fdg', sstr_date + 7 from bench_timepoints;
