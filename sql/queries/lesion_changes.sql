-- Lesion tracking rows (view lesion_changes) for one patient ($patient_id) or all (null), in timeline order.
select * from lesion_changes
where $patient_id is null or patient_id = $patient_id
order by patient_id, timepoint_number, class_score desc nulls last, lesion_id
