(select tp.patient_id from _all_timepoints tp where tp.timepoint_id = i.timepoint_id)
