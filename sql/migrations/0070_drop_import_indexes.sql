-- Registry scale (hundreds of thousands of patients, tens of millions of lesion reads): drop the indexes
-- whose upkeep dominated an import and that no query needs.
-- * The patient_id indexes: DuckDB answers patient lookups with hash joins and zonemaps; building an index
--   of tens of millions of keys in the import's transaction cost more than the rest of the write.
-- * lesion_reads' composite primary key: the importer already refuses a key repeated in the files or
--   already in the registry (check_duplicate_keys, check_existing_keys), and a restore re-inserts a deleted
--   patient's timepoints first, whose primary key (kept) guards the lesion keys under them.
-- * change_log's primary key: change_id comes from change_log_seq, unique by construction; the log is
--   append-only and read by patient_id, never looked up by change_id.
-- DuckDB cannot drop a constraint, so both tables are rebuilt with the same columns in the same order.
drop index pet_scans_patient;
drop index timepoints_patient;
drop index treatments_patient;
drop index change_log_patient;

create table lesion_reads_0070 (
    timepoint_id varchar not null,
    lesion_id varchar not null,
    location varchar not null check (location in (
        'primary', 'liver', 'lymph_node', 'bone', 'peritoneum', 'lung', 'other')),
    sstr_suvmax double precision check (sstr_suvmax >= 0),
    fdg_suvmax double precision check (fdg_suvmax >= 0),
    sstr_avid boolean not null,
    fdg_avid boolean not null,
    fdg_vs_sstr varchar check (fdg_vs_sstr in ('lower', 'similar', 'higher')),
    batch_id integer,
    check (not (sstr_avid and fdg_avid) or fdg_vs_sstr is not null)
);
insert into lesion_reads_0070 select * from lesion_reads;
drop table lesion_reads;
alter table lesion_reads_0070 rename to lesion_reads;

create table change_log_0070 (
    change_id bigint not null default nextval('change_log_seq'),
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
insert into change_log_0070 select * from change_log;
drop table change_log;
alter table change_log_0070 rename to change_log;
