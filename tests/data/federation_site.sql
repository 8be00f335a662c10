-- One site's patients for the federation tests, from a registered frame `site_rows`
-- (patient_id, site, origin_date, days, event, score): a dual-PET timepoint on origin_date with a recorded
-- score, and death (event = 1) or last contact `days` later. The importer is another module's business.
insert into patients (patient_id, site, diagnosis_date, primary_site)
select patient_id, site, origin_date - 60, 'pancreas' from site_rows;

insert into pet_scans (scan_id, patient_id, tracer, scan_date)
select patient_id || '-S1', patient_id, 'ga68_dotatate', origin_date from site_rows
union all
select patient_id || '-F1', patient_id, 'fdg', origin_date from site_rows;

insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score)
select patient_id || '-T1', patient_id, patient_id || '-S1', patient_id || '-F1', score from site_rows;

insert into outcomes (patient_id, outcome, outcome_date)
select patient_id, case when event = 1 then 'death' else 'last_contact' end, origin_date + days::integer from site_rows;
