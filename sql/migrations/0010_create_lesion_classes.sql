-- The class of each lesion read (registry.scoring.lesion_class), one row per timepoint x lesion with reads.
-- Written by registry.score_store next to derived_scores, in the same transaction as the reads, so the
-- class rule lives once (in registry/scoring.py) and the views that explain scores stay plain SQL.
create table lesion_classes (
    timepoint_id varchar not null references timepoints (timepoint_id),
    lesion_id varchar not null,
    lesion_class varchar not null check (lesion_class in (
        'negative', 'sstr_only', 'concordant_lower', 'concordant_similar', 'concordant_higher', 'discordant')),
    class_score tinyint not null check (class_score between 0 and 5),
    primary key (timepoint_id, lesion_id)
);
