-- NETPET scores derived from lesion reads by registry.scoring, one row per timepoint with reads.
-- Written by the importer in the same transaction as the reads; derivable, but stored so that the
-- rule lives once (in registry/scoring.py) and views stay plain SQL.
create table derived_scores (
    timepoint_id varchar primary key,
    derived_score smallint not null check (derived_score between 0 and 5),
    p4_subclass varchar check (p4_subclass in ('P4a', 'P4b')),
    lesion_count integer not null check (lesion_count >= 0),
    discordant_count integer not null check (discordant_count >= 0)
);
