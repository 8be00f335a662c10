-- P5 (discordant) timepoints followed by PRRT, with patient IDs (temp table audit_practice, made by
-- audit_treatment_after_timepoint). Read by analysis.audit_report for the data manager (`include_ids`).
select patient_id, timepoint_id, site, timepoint_date
from audit_practice
where netpet_group = 'P5' and prrt_given;
