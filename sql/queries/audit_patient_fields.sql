-- One row per patient diagnosed by $as_of: site, diagnosis year and whether each clinical field is filled in.
-- Read by analysis.audit_report (completeness per site and per year).
select
    patient_id,
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
