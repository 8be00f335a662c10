-- Least-privilege roles for a PostgreSQL registry (docs/disclosure.md). Run it as the database's owner, the
-- role that runs `netpet init` and `netpet migrate`, once per database and again after a migration adds a
-- table:  psql -d netpet -v ON_ERROR_STOP=1 -f sql/postgres/roles.sql
-- It makes two group roles; give them to login roles, e.g.
--   create role ana login in role netpet_analyst;   create role site_north login in role netpet_importer;
-- netpet_importer: reads and writes the registry's rows (netpet import, pair, delete-patient), no DDL.
-- netpet_analyst: reads only (netpet query, km, cox, report, audit, export); `netpet query` further limits it
--   to the analysis views, which DuckDB computes in the session from the tables, so it needs SELECT on them.
do $$
begin
    if not exists (select from pg_roles where rolname = 'netpet_importer') then
        create role netpet_importer nologin;
    end if;
    if not exists (select from pg_roles where rolname = 'netpet_analyst') then
        create role netpet_analyst nologin;
    end if;
end
$$;

grant usage on schema public to netpet_importer, netpet_analyst;
grant select, insert, update, delete on all tables in schema public to netpet_importer;
grant usage, select, update on all sequences in schema public to netpet_importer;
grant select on all tables in schema public to netpet_analyst;
revoke create on schema public from public;

-- Large objects live outside every table and survive the session; even a read-only transaction can create
-- them. No registry role needs them.
revoke execute on function
    lo_from_bytea(oid, bytea), lo_create(oid), lo_creat(integer), lo_put(oid, bigint, bytea),
    lo_import(text), lo_import(text, oid), lo_export(oid, text)
from public;
