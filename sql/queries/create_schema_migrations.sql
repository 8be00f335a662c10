-- The migrations ledger, created before any migration runs (valid in DuckDB and PostgreSQL).
create table if not exists schema_migrations (
    name varchar primary key,
    sha256 varchar not null,
    applied_at timestamp not null default current_timestamp
)
