-- Add the timepoints registry.pairing made, from the registered frame _new_timepoints (no recorded score).
insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id)
select timepoint_id, patient_id, sstr_scan_id, fdg_scan_id from _new_timepoints
