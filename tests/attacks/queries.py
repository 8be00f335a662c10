"""Queries an attacker tries through `netpet query`: each must be refused, on both backends.

`{secret}` is a file outside the registry holding `SECRET_TEXT`, `{folder}` its folder, `{parquet}` a Parquet
file there, `{out}` a path that must not be written. Each entry: (what it tries, the query).
"""

from __future__ import annotations

SECRET_TEXT = "netpet-attack-secret-0001"

ATTACK_QUERIES: list[tuple[str, str]] = [
    ("read any text file", "select content from read_text('{secret}')"),
    ("read a file as bytes", "select content from read_blob('{secret}')"),
    ("read a file as CSV", "select * from read_csv('{secret}', header = false)"),
    ("read a file by naming it", "select * from '{secret}'"),
    ("read any Parquet file", "select * from read_parquet('{parquet}')"),
    ("list a folder", "select * from glob('{folder}/*')"),
    ("download an extension", "select * from read_text('https://example.invalid/x.txt')"),
    ("probe the file system at parse time", "pragma import_database('{folder}')"),
    ("turn external access back on", "set enable_external_access = true"),
    ("install an extension", "install httpfs"),
    ("load an extension", "load httpfs"),
    ("attach another database", "attach '{secret}' as other"),
    ("write a file", "copy (select 1) to '{out}'"),
    ("export the database", "export database '{out}'"),
    ("read a base table (exact birth dates)", "select patient_id, birth_date from patients"),
    ("read a base table by its qualified name", "select * from registry.patients"),
    ("read a base table in a subquery", "select * from (select birth_date from patients)"),
    ("read a base table in a scalar subquery", "select (select max(birth_date) from patients) as b"),
    ("read a base table in a filter", "select count(*) from patient_survival where patient_id in "
     "(select patient_id from patients where birth_date < date '1950-06-01')"),
    ("shadow a base table with a WITH name", "with patients as (select * from patients) select * from patients"),
    ("describe a base table", "describe patients"),
    ("list the catalog", "show tables"),
    ("read the information schema", "select * from information_schema.columns"),
    ("read the connection strings", "select path from duckdb_databases()"),
    ("read the settings", "select * from duckdb_settings()"),
    ("read the secrets", "select * from duckdb_secrets()"),
    ("run SQL hidden in a string", "select * from query('select * from patients')"),
    ("read a table named in a string", "select * from query_table('patients')"),
    ("call a registry table macro", "select * from timepoint_score_rows(null)"),
    ("send SQL to the PostgreSQL server", "select * from postgres_query('registry', 'select 1')"),
    ("open a connection to another database", "select * from postgres_scan('dbname=postgres', 'public', 'x')"),
    ("execute on the PostgreSQL server", "call postgres_execute('registry', 'select 1')"),
    ("read a server file", "select pg_read_file('/etc/passwd')"),
    ("store a large object", "select lo_from_bytea(0, 'x'::blob)"),
    ("reload the server's configuration", "select pg_reload_conf()"),
    ("end another session", "select pg_terminate_backend(1)"),
    ("read password hashes", "select * from registry.pg_catalog.pg_shadow"),
    ("read other users' queries", "select query from pg_stat_activity"),
]
