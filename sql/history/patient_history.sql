-- Every change recorded for one patient's records, oldest first (read by registry.history).
-- An import logs its inserts with one change_log row per table (row_key '*', patient_id null): the records it
-- inserted are those carrying its batch_id. Each such record is listed here as its own 'insert', with the
-- batch row's time, operator, command and batch, and the values it was inserted with: the earliest of its
-- known states that carries that batch_id, a state being the `before` of a later update or deletion (both
-- log the batch_id with the values) or, last, the row as it is now. A state an update of the same batch
-- produced is not an insert; a record the batch logged itself (pairing) is not listed twice.
with logged as (
    select change_id, changed_at, operator, command, batch_id, table_name, row_key, action,
        cast(before as varchar) as before, cast(after as varchar) as after
    from change_log
    where patient_id = $patient_id
),
batch_inserts as (
    select change_id, changed_at, operator, command, batch_id, table_name
    from change_log
    where action = 'insert' and row_key = '*' and patient_id is null
),
states as (
    select 'patients' as table_name, patient_id as row_key, batch_id, to_json(p) as vals,
        null::bigint as seen_at
    from patients as p where patient_id = $patient_id
    union all
    select 'pet_scans', scan_id, batch_id, to_json(s), null from pet_scans as s where patient_id = $patient_id
    union all
    select 'timepoints', timepoint_id, batch_id, to_json(t), null from timepoints as t where patient_id = $patient_id
    union all
    select 'lesion_reads', l.timepoint_id || '|' || l.lesion_id, l.batch_id, to_json(l), null
    from lesion_reads as l join timepoints as t using (timepoint_id) where t.patient_id = $patient_id
    union all
    select 'treatments', treatment_id, batch_id, to_json(r), null from treatments as r where patient_id = $patient_id
    union all
    select 'outcomes', concat_ws('|', patient_id, outcome, cast(outcome_date as varchar)), batch_id, to_json(o), null
    from outcomes as o where patient_id = $patient_id
    union all
    -- A deletion logs an outcome's key without its patient_id: the key is rebuilt from the values.
    select table_name,
        case when table_name = 'outcomes' then concat_ws('|', json_extract_string(before, '$.patient_id'),
            json_extract_string(before, '$.outcome'), json_extract_string(before, '$.outcome_date'))
        else row_key end,
        try_cast(json_extract_string(before, '$.batch_id') as integer), cast(before as json), change_id
    from logged
    where action in ('update', 'delete') and before is not null
),
first_states as (
    select table_name, row_key, batch_id,
        min(coalesce(seen_at, 9223372036854775807)) as seen_at,
        arg_min(vals, coalesce(seen_at, 9223372036854775807)) as vals
    from states
    where batch_id is not null
    group by table_name, row_key, batch_id
),
inserted as (
    select b.change_id, b.changed_at, b.operator, b.command, b.batch_id, f.table_name, f.row_key,
        'insert' as action, null::varchar as before,
        cast(json_merge_patch(f.vals, '{"batch_id": null}') as varchar) as after
    from first_states as f
    join batch_inserts as b on b.batch_id = f.batch_id and b.table_name = f.table_name
    where not exists (
        select 1 from logged as u
        where u.batch_id = f.batch_id and u.table_name = f.table_name and u.row_key = f.row_key
            and (u.action = 'insert' or (u.action = 'update' and u.change_id < f.seen_at))
    )
)
select * from (select * from logged union all select * from inserted)
order by change_id, table_name, row_key
