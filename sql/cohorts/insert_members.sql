-- Save the remaining candidates as the cohort's members. Follow-up ends at death, else at the latest
-- outcome or scan date (the rule of patient_followup.followup_end_date, computed here for the candidates
-- only; a test checks the two agree), or at the administrative censoring date if that is earlier.
insert into cohort_members (cohort_name, patient_id, entry_date, end_of_followup_date)
with dates as (
    select o.patient_id, o.outcome, o.outcome_date as d
    from outcomes as o semi join cohort_candidates as c using (patient_id)
    union all
    select s.patient_id, 'scan', s.scan_date
    from pet_scans as s semi join cohort_candidates as c using (patient_id)
),
ends as (
    select patient_id,
           coalesce(min(d) filter (where outcome = 'death'), max(d)) as followup_end_date
    from dates
    group by patient_id
)
select
    $name,
    c.patient_id,
    c.entry_date,
    case
        when e.followup_end_date is null or cast($end_of_followup as date) is null then e.followup_end_date
        else least(e.followup_end_date, cast($end_of_followup as date))
    end
from cohort_candidates as c
left join ends as e using (patient_id);
