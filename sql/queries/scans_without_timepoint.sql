-- The scans registry.pairing may pair: those in no timepoint yet, as either its SSTR or its FDG scan.
select s.scan_id, s.patient_id, s.tracer, s.scan_date
from pet_scans as s
where not exists (
    select 1 from timepoints as t where t.sstr_scan_id = s.scan_id or t.fdg_scan_id = s.scan_id
)
order by s.patient_id, s.scan_date, s.scan_id
