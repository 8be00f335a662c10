-- The patients an import writes rows of: only their stored analysis rows are re-derived on PostgreSQL, so that
-- imports of disjoint patients touch disjoint rows and can commit side by side.
select patient_id from _typed_patients where patient_id is not null
union select patient_id from _typed_pet_scans where patient_id is not null
union select patient_id from _typed_timepoints where patient_id is not null
union select patient_id from _typed_treatments where patient_id is not null
union select patient_id from _typed_outcomes where patient_id is not null
union select tp.patient_id from _typed_lesion_reads l join _all_timepoints tp on tp.timepoint_id = l.timepoint_id
