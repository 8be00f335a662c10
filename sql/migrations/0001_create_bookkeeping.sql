-- The registry's own bookkeeping: settings and import batches.
-- schema_migrations is created by registry.migrations before any file runs.
create table settings (
    name varchar primary key,
    value varchar not null
);

create sequence import_batch_seq start 1;

create table import_batches (
    batch_id integer primary key default nextval('import_batch_seq'),
    imported_at timestamp not null default current_timestamp,
    operator varchar not null,
    command varchar not null,
    source varchar not null,          -- the folder imported (as given by the user)
    is_update boolean not null default false
);

create table import_files (
    batch_id integer not null,
    file_name varchar not null,
    table_name varchar not null,
    sha256 varchar not null,
    row_count bigint not null check (row_count >= 0),
    rows_inserted bigint not null check (rows_inserted >= 0),
    rows_updated bigint not null check (rows_updated >= 0),
    primary key (batch_id, file_name)
);
