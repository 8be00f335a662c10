-- One change_log row per record --update replaces, with its values before and after; `before` also holds the
-- batch_id that wrote them (for an inserted record, the batch that inserted it: registry.history).
insert into change_log (operator, command, batch_id, table_name, row_key, patient_id, action, before, after)
select $operator, $command, $batch_id, $table_name, {{key_text}}, {{patient}}, 'update',
    to_json(struct_pack({{r_struct_fields}}, batch_id := r.batch_id)), to_json(struct_pack({{struct_fields}}))
from {{typed}} i join {{table}} r on {{key_match}}
where {{differs}}
