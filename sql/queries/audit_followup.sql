-- One row per patient with a dual-PET timepoint: follow-up observed and potential up to $as_of.
-- Read by analysis.audit_report (reverse Kaplan-Meier median follow-up and Clark's completeness index).
-- Observed: origin (first timepoint) to death or last contact; potential: origin to death or $as_of.
select
    f.patient_id,
    coalesce(p.site, 'unknown') as site,
    f.first_timepoint_date as origin_date,
    least(f.followup_end_date, $as_of::date) as followup_end_date,
    coalesce(f.death_date <= $as_of::date, false) as is_dead,
    date_diff('day', f.first_timepoint_date, least(f.followup_end_date, $as_of::date)) as observed_days,
    date_diff('day', f.first_timepoint_date,
        case when f.death_date <= $as_of::date then f.death_date else $as_of::date end) as potential_days
from patient_followup as f
join patients as p using (patient_id)
where f.first_timepoint_date is not null and f.first_timepoint_date <= $as_of::date
