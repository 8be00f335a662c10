-- One row per PET scan up to $as_of whose import batch is known: days from the scan to its registry entry.
-- Read by analysis.audit_report (timeliness per site and per year).
select
    s.scan_id,
    s.patient_id,
    coalesce(p.site, 'unknown') as site,
    year(s.scan_date) as scan_year,
    date_diff('day', s.scan_date, b.imported_at::date) as delay_days
from pet_scans as s
join patients as p using (patient_id)
join import_batches as b on b.batch_id = s.batch_id
where s.scan_date <= $as_of::date
