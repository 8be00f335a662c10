-- Log, before deleting them, every record of one patient with its values as JSON (registry.history).
insert into change_log (operator, command, table_name, row_key, patient_id, action, before)
select $operator, $command, table_name, row_key, $patient_id, 'delete', before
from (
    select 'lesion_reads' as table_name, l.timepoint_id || '|' || l.lesion_id as row_key, to_json(l) as before, 1 as ord
    from lesion_reads as l join timepoints as t using (timepoint_id) where t.patient_id = $patient_id
    union all
    select 'derived_scores', d.timepoint_id, to_json(d), 2
    from derived_scores as d join timepoints as t using (timepoint_id) where t.patient_id = $patient_id
    union all
    select 'timepoints', timepoint_id, to_json(t), 3 from timepoints as t where patient_id = $patient_id
    union all
    select 'pet_scans', scan_id, to_json(s), 4 from pet_scans as s where patient_id = $patient_id
    union all
    select 'treatments', treatment_id, to_json(r), 5 from treatments as r where patient_id = $patient_id
    union all
    select 'outcomes', outcome || '|' || outcome_date, to_json(o), 6 from outcomes as o where patient_id = $patient_id
    union all
    select 'patients', patient_id, to_json(p), 7 from patients as p where patient_id = $patient_id
)
order by ord, row_key;
