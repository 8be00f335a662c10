-- The predictors of the schemes `netpet validate` compares, one row per patient: the clinical ones (WHO grade,
-- Ki-67, age at diagnosis), the NETPET score (P1-P5, as the score source setting says) and the schemes derived
-- from the lesion reads of the first dual-PET timepoint (the origin of patient_survival), null where that
-- timepoint has no lesion reads.
-- Read by analysis.schemes.scheme_frame. Depends on: patient_survival, timepoint_scores, lesion_reads.
-- karfis (Karfis et al., Oncotarget 2020, as Chan et al., Cancer Imaging 2022, Table 1, define it): C3 when a
--   lesion is FDG+/SSTR-; else C2 when a lesion is FDG+ (every FDG+ lesion is then SSTR+); else C1 when a
--   lesion is SSTR+. A lesion negative on both tracers is not PET-avid disease (as for the NETPET score), so
--   a timepoint with only such lesions has no Karfis class.
-- fdg_status (Binderup et al., J Nucl Med 2021;62:808-815): FDG+ when any lesion is FDG-avid, else FDG-.
-- zidan (Zidan et al., Eur J Nucl Med Mol Imaging 2021;48:204-216, as Chan et al., Cancer Imaging 2022, Table 1,
--   tabulate it): a lesion is SSTR-positive when its uptake is above liver (sstr_krenning 3-4). Z4 when an
--   FDG-avid lesion is SSTR-negative; else Z1 when every lesion is SSTR-negative and FDG-negative; else, with
--   every lesion SSTR-positive, Z3 when one is FDG-avid and Z2 when none is. Every lesion read counts, also one
--   negative on both tracers (the table's "all lesions"). Null, with zidan_unclassified saying why, when a
--   lesion has no sstr_krenning ('krenning_missing') or for a pattern the table leaves out ('undefined': some
--   lesions above liver and some not, none FDG+ at or below liver): neither is guessed.
-- extrahepatic (Chan et al., Br J Cancer 2023;128:549-555): yes when a lesion avid on either tracer lies
--   outside the liver and the primary tumour, else no.
with baseline as (
    select patient_id, timepoint_id from timepoint_scores where timepoint_number = 1
),
reads as (
    select
        b.patient_id,
        count(*) as baseline_lesion_reads,
        case
            when bool_or(r.fdg_avid and not r.sstr_avid) then 'C3'
            when bool_or(r.fdg_avid) then 'C2'
            when bool_or(r.sstr_avid) then 'C1'
        end as karfis,
        case when bool_or(r.fdg_avid) then 'FDG+' else 'FDG-' end as fdg_status,
        case
            when count(r.sstr_krenning) < count(*) then null
            when bool_or(r.fdg_avid and r.sstr_krenning <= 2) then 'Z4'
            when bool_and(r.sstr_krenning <= 2 and not r.fdg_avid) then 'Z1'
            when bool_and(r.sstr_krenning >= 3) and bool_or(r.fdg_avid) then 'Z3'
            when bool_and(r.sstr_krenning >= 3) then 'Z2'
        end as zidan,
        count(r.sstr_krenning) < count(*) as krenning_missing,
        case
            when bool_or((r.sstr_avid or r.fdg_avid) and r.location not in ('liver', 'primary')) then 'yes'
            else 'no'
        end as extrahepatic
    from baseline as b
    join lesion_reads as r using (timepoint_id)
    group by b.patient_id
)
select
    s.patient_id,
    s.who_grade,
    s.ki67_percent,
    s.age_at_diagnosis,
    s.netpet_score,
    coalesce(r.baseline_lesion_reads, 0) as baseline_lesion_reads,
    r.karfis,
    r.fdg_status,
    r.extrahepatic,
    r.zidan,
    case
        when r.krenning_missing then 'krenning_missing'
        when not r.krenning_missing and r.zidan is null then 'undefined'
    end as zidan_unclassified
from patient_survival as s
left join reads as r using (patient_id)
order by s.patient_id
