-- The clinical tables of the interchange format (docs/import-format.md), stored canonically:
-- enumerations lower-case (WHO grade upper-case, as printed), scores as integers 0-5.
-- No FOREIGN KEY clauses: DuckDB cannot delete a child and its parent in one transaction (its documented
-- foreign-key limitation), which a patient deletion and restore need. References are enforced by the
-- importer's validation, which checks them against the registry and the import, and by `netpet audit`.
create table patients (
    patient_id varchar primary key,
    site varchar,
    sex varchar check (sex in ('female', 'male', 'other')),
    birth_date date,
    diagnosis_date date not null,
    primary_site varchar not null check (primary_site in (
        'pancreas', 'small_bowel', 'appendix', 'colon', 'rectum', 'stomach', 'duodenum', 'lung',
        'unknown', 'other')),
    who_grade varchar check (who_grade in ('G1', 'G2', 'G3', 'NEC')),
    ki67_percent double precision check (ki67_percent between 0 and 100),
    batch_id integer,
    check (birth_date is null or diagnosis_date >= birth_date)
);

create table pet_scans (
    scan_id varchar primary key,
    patient_id varchar not null,
    tracer varchar not null check (tracer in (
        'ga68_dotatate', 'ga68_dotatoc', 'ga68_dotanoc', 'cu64_dotatate', 'fdg')),
    scan_date date not null,
    batch_id integer
);

create table timepoints (
    timepoint_id varchar primary key,
    patient_id varchar not null,
    sstr_scan_id varchar not null,
    fdg_scan_id varchar not null,
    recorded_score smallint check (recorded_score between 0 and 5),
    batch_id integer
);

create table lesion_reads (
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
    primary key (timepoint_id, lesion_id),
    check (not (sstr_avid and fdg_avid) or fdg_vs_sstr is not null)
);

create table treatments (
    treatment_id varchar primary key,
    patient_id varchar not null,
    treatment varchar not null check (treatment in (
        'prrt_lu177_dotatate', 'ssa_octreotide', 'ssa_lanreotide', 'capecitabine_temozolomide',
        'platinum_etoposide', 'everolimus', 'sunitinib', 'sirt', 'tace', 'surgery', 'other')),
    start_date date not null,
    end_date date,
    cycles integer check (cycles >= 1),
    activity_gbq double precision check (activity_gbq > 0),
    stop_reason varchar check (stop_reason in (
        'completed', 'progression', 'toxicity', 'de_differentiation', 'patient_choice', 'death', 'other')),
    batch_id integer,
    check (end_date is null or end_date >= start_date)
);

-- Outcomes carry no ID in the interchange format: (patient_id, outcome, outcome_date) is the natural key.
create table outcomes (
    patient_id varchar not null,
    outcome varchar not null check (outcome in ('death', 'progression', 'last_contact')),
    outcome_date date not null,
    detail varchar,
    batch_id integer,
    primary key (patient_id, outcome, outcome_date)
);

create index pet_scans_patient on pet_scans (patient_id);
create index timepoints_patient on timepoints (patient_id);
create index treatments_patient on treatments (patient_id);
