-- A synthetic registry of $n patients for timing cohort builds (not clinically plausible, only large):
-- two dual-PET timepoints each, PRRT for half of them, chemotherapy for a fifth, death for a third.
insert into patients (patient_id, site, sex, birth_date, diagnosis_date, primary_site, who_grade, ki67_percent)
select
    'P' || i,
    ['sydney', 'london', 'brussels'][1 + i % 3],
    ['female', 'male'][1 + i % 2],
    date '1940-01-01' + cast(i % 15000 as integer),
    date '2005-01-01' + cast(i % 5000 as integer),
    ['pancreas', 'small_bowel', 'appendix', 'colon', 'rectum', 'stomach', 'duodenum', 'lung', 'unknown', 'other'][1 + i % 10],
    ['G1', 'G2', 'G3', 'NEC'][1 + (i // 7) % 4],
    (i % 1000) / 10.0
from range($n) as r(i);

insert into pet_scans (scan_id, patient_id, tracer, scan_date)
select 'S' || i || '-' || k || '-' || tracer, 'P' || i, tracer,
       date '2005-01-01' + cast(i % 5000 + 30 + k * 370 as integer) - (tracer <> 'fdg')::integer * 7
from range($n) as r(i), range(2) as t(k), (values ('ga68_dotatate'), ('fdg')) as x(tracer);

insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score)
select 'T' || i || '-' || k, 'P' || i, 'S' || i || '-' || k || '-ga68_dotatate', 'S' || i || '-' || k || '-fdg',
       (i + k) % 6
from range($n) as r(i), range(2) as t(k);

insert into treatments (treatment_id, patient_id, treatment, start_date)
select 'R' || i, 'P' || i, 'prrt_lu177_dotatate', date '2005-01-01' + cast(i % 5000 + 60 as integer)
from range($n) as r(i) where i % 2 = 0;

insert into treatments (treatment_id, patient_id, treatment, start_date)
select 'C' || i, 'P' || i, 'capecitabine_temozolomide', date '2005-01-01' + cast(i % 5000 + 10 as integer)
from range($n) as r(i) where i % 5 = 0;

insert into outcomes (patient_id, outcome, outcome_date)
select 'P' || i, case when i % 3 = 0 then 'death' else 'last_contact' end,
       date '2005-01-01' + cast(i % 5000 + 900 as integer)
from range($n) as r(i);
