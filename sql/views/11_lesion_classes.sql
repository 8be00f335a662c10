-- lesion_classes: one row per lesion read (timepoint x lesion) with its NETPET lesion class and the score
-- that class implies on its own. The SQL twin of registry.scoring.class_score/lesion_class (Chan et al.,
-- Theranostics 2017; Cancer Imaging 2022 Table 1); tests/test_lesions.py checks that both agree on every
-- combination of inputs. A read that cannot be scored (both avid, no comparison) has null class.
-- Read by score_disagreements, lesion_changes. Depends on: lesion_reads.
create or replace view lesion_classes as
with scored as (
    select
        timepoint_id,
        lesion_id,
        location,
        cast(case
            when fdg_avid and not sstr_avid then 5  -- discordant FDG+/SSTR-: the P5 pattern
            when fdg_avid and sstr_avid then case fdg_vs_sstr  -- concordant: P2-P4 by FDG relative to SSTR
                when 'lower' then 2 when 'similar' then 3 when 'higher' then 4 end
            when sstr_avid then 1  -- SSTR+/FDG-: the P1 pattern
            when not sstr_avid and not fdg_avid then 0  -- negative on both: the P0 pattern
        end as tinyint) as class_score
    from lesion_reads
)
select
    timepoint_id,
    lesion_id,
    location,
    case class_score
        when 0 then 'negative'
        when 1 then 'sstr_only'
        when 2 then 'concordant_lower'
        when 3 then 'concordant_similar'
        when 4 then 'concordant_higher'
        when 5 then 'discordant'
    end as lesion_class,
    class_score
from scored;

comment on view lesion_classes is 'One row per lesion read with its NETPET lesion class (negative, sstr_only, concordant_lower/similar/higher, discordant) and the score it implies (0-5).';
