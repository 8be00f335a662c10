-- Add the timepoints registry.pairing made, from the registered frame _new_timepoints (no recorded score);
-- $batch_id = the import batch when pairing is part of an import, else null.
insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, batch_id)
select timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, $batch_id from _new_timepoints
