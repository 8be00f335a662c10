-- Saved cohorts: the definition a cohort was built from, its members with their entry dates, and the
-- attrition (patients remaining after each criterion, in order) for the cohort flow diagram.
-- Members are a snapshot: they keep the registry state they were built on (see `registry_state`).
-- No foreign keys: DuckDB checks them eagerly, which would block the importer's updates of patients and
-- dropping a cohort's rows in one transaction; registry.cohorts keeps the three tables consistent.
-- cohort_members has no primary key either: a build writes one row per candidate, and an index would make
-- saving (and replacing) a cohort of a million members many times slower.
create table cohorts (
    name varchar primary key,
    definition varchar not null,          -- the YAML text as given
    definition_sha256 varchar not null,   -- of the normalised definition (comments and layout ignored)
    built_at timestamp not null default current_timestamp,
    registry_state json not null,         -- last import batch and table row counts at build time
    entry_event varchar not null check (entry_event in ('first_dual_pet', 'first_prrt', 'diagnosis')),
    end_of_followup_date date,            -- administrative censoring date, when the definition sets one
    member_count bigint not null check (member_count >= 0)
);

create table cohort_members (
    cohort_name varchar not null,
    patient_id varchar not null,
    entry_date date not null,
    end_of_followup_date date
);

create table cohort_attrition (
    cohort_name varchar not null,
    step integer not null check (step >= 0),
    kind varchar not null check (kind in ('registry', 'entry', 'include', 'exclude', 'censoring')),
    criterion varchar not null,
    remaining bigint not null check (remaining >= 0),
    removed bigint not null check (removed >= 0),
    primary key (cohort_name, step)
);
