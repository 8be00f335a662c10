-- One change_log row per record the import adds (its values as JSON in `after`), before it is added.
insert into change_log (operator, command, batch_id, table_name, row_key, patient_id, action, after)
select $operator, $command, $batch_id, $table_name, {{key_text}}, {{patient}}, 'insert',
    to_json(struct_pack({{struct_fields}}))
from {{typed}} i
where not exists (select 1 from {{table}} r where {{key_match}})
