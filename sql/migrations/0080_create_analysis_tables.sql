-- The analysis rows, stored: one row per timepoint (analysis_timepoints) and per patient
-- (analysis_patients), derived from the clinical tables by the views live_timepoint_scores and
-- live_patient_analysis, and read through the views timepoint_scores, patient_followup and patient_survival.
-- Why: at registry scale (a million patients) deriving them on every read took seconds (string-keyed joins
-- of millions of scans, a window over every timepoint); stored, a survival analysis reads one narrow table.
-- Every write path refreshes them in its own transaction (registry.analysis_tables), and analysis_state
-- records the checksum of the SQL that derived them, so a release that changes the derivation rebuilds
-- them on the next writable open. The audit check analysis_tables_stale compares them with the live views.
create table analysis_timepoints (
    timepoint_id varchar,
    patient_id varchar,
    timepoint_number bigint,
    timepoint_date date,
    sstr_scan_id varchar,
    fdg_scan_id varchar,
    sstr_tracer varchar,
    sstr_scan_date date,
    fdg_scan_date date,
    pairing_gap_days bigint,
    recorded_score smallint,
    derived_score smallint,
    p4_subclass varchar,
    lesion_count integer,
    score smallint,
    netpet_score varchar,
    netpet_group varchar,
    score_origin varchar
);

create table analysis_patients (
    patient_id varchar,
    site varchar,
    sex varchar,
    birth_date date,
    diagnosis_date date,
    primary_site varchar,
    who_grade varchar,
    ki67_percent double precision,
    origin_date date,
    timepoint_count bigint,
    age_at_origin double precision,
    age_at_diagnosis double precision,
    baseline_score smallint,
    netpet_score varchar,
    netpet_group varchar,
    score_origin varchar,
    death_date date,
    followup_end_date date,
    progression_date date,
    os_days bigint,
    os_event boolean,
    os_from_diagnosis_days bigint,
    pfs_days bigint,
    pfs_event boolean,
    ttp_days bigint,
    ttp_event boolean,
    death_records bigint
);

create table analysis_state (
    derivation_sha256 varchar not null,
    refreshed_at timestamp not null
);
