-- Registry scale: drop derived_scores' primary key. DuckDB deletes a row from an indexed table at about
-- 11 µs a row, one thread, so re-deriving a million scores spent 10 s of its 12 in the delete. The key
-- guards nothing a writer needs: registry.score_store writes the table alone, deleting a timepoint's score
-- before inserting the one row per timepoint its grouped query derives. DuckDB cannot drop a constraint, so
-- the table is rebuilt with the same columns in the same order (as in 0070).
create table derived_scores_0090 (
    timepoint_id varchar not null,
    derived_score smallint not null check (derived_score between 0 and 5),
    p4_subclass varchar check (p4_subclass in ('P4a', 'P4b')),
    lesion_count integer not null check (lesion_count >= 0),
    discordant_count integer not null check (discordant_count >= 0)
);
insert into derived_scores_0090 select * from derived_scores;
drop table derived_scores;
alter table derived_scores_0090 rename to derived_scores;
