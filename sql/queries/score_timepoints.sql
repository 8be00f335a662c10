-- The NETPET score of each selected timepoint from its lesion reads, into temp table _new_derived_scores
-- (registry.score_store). The SQL twin of registry.scoring.derive_scores, checked against it on every input by
-- tests/test_score_store.py: each lesion's class score as in registry.scoring.class_score (Chan et al.,
-- Theranostics 2017: 5 FDG+/SSTR- discordant, 2-4 concordant by FDG relative to SSTR, 1 SSTR+/FDG-, 0 neither);
-- the timepoint takes its most adverse lesion; P4 is P4b with $p4b_min or more FDG>SSTR lesions, else P4a
-- (Cancer Imaging 2022, Table 1). `unscorable` counts reads without a class (derive_scores refuses them).
-- $all selects every timepoint, else those listed in temp table _score_timepoints.
create or replace temp table _new_derived_scores as
with classes as (
    select timepoint_id,
        case
            when fdg_avid and not sstr_avid then 5
            when fdg_avid and sstr_avid then case fdg_vs_sstr when 'lower' then 2 when 'similar' then 3 when 'higher' then 4 end
            when sstr_avid then 1
            when not sstr_avid and not fdg_avid then 0
        end as class_score
    from lesion_reads
    where $all or timepoint_id in (select timepoint_id from _score_timepoints)
)
select
    timepoint_id,
    max(class_score) as derived_score,
    case when max(class_score) = 4 then
        case when count(*) filter (where class_score = 4) >= $p4b_min then 'P4b' else 'P4a' end
    end as p4_subclass,
    count(*) as lesion_count,
    count(*) filter (where class_score = 5) as discordant_count,
    count(*) filter (where class_score is null) as unscorable
from classes
group by timepoint_id
