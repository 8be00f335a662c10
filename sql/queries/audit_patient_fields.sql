-- Patients diagnosed by $as_of and those with each clinical field filled in, per site and per diagnosis year
-- (`breakdown` says which; the other key is null). Read by analysis.audit_report (completeness tables).
-- Counted here, so that only the counts reach Python, not a row per patient.
with fields as (
    select
        coalesce(site, 'unknown') as site,
        year(diagnosis_date) as diagnosis_year,
        sex is not null as has_sex,
        birth_date is not null as has_birth_date,
        primary_site <> 'unknown' as has_primary_site,
        who_grade is not null as has_who_grade,
        ki67_percent is not null as has_ki67_percent,
        exists (select 1 from timepoint_scores as t
                where t.patient_id = p.patient_id and t.score is not null and t.timepoint_date <= $as_of::date)
            as has_scored_timepoint
    from patients as p
    where p.diagnosis_date <= $as_of::date
)
select
    case when grouping(site) = 0 then 'site' else 'diagnosis_year' end as breakdown,
    site,
    diagnosis_year,
    count(*) as patients,
    count(*) filter (where has_sex) as has_sex,
    count(*) filter (where has_birth_date) as has_birth_date,
    count(*) filter (where has_primary_site) as has_primary_site,
    count(*) filter (where has_who_grade) as has_who_grade,
    count(*) filter (where has_ki67_percent) as has_ki67_percent,
    count(*) filter (where has_scored_timepoint) as has_scored_timepoint
from fields
group by grouping sets ((site), (diagnosis_year));
