-- The append-only change history: one row per inserted, updated or deleted record.
-- Never updated or deleted; a record can be restored from `before`.
create sequence change_log_seq start 1;

create table change_log (
    change_id bigint primary key default nextval('change_log_seq'),
    changed_at timestamp not null default current_timestamp,
    operator varchar not null,
    command varchar not null,
    batch_id integer,
    table_name varchar not null,
    row_key varchar not null,         -- the record's key, e.g. the patient_id or 'T1|liver-s7'
    patient_id varchar,               -- the patient the record belongs to, for `netpet history --patient`
    action varchar not null check (action in ('insert', 'update', 'delete', 'restore')),
    before json,
    after json
);

create index change_log_patient on change_log (patient_id);
