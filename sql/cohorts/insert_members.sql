-- Save the remaining candidates as the cohort's members. Follow-up ends at death, else at the latest
-- outcome or scan date (patient_followup.followup_end_date), or at the administrative censoring date if
-- that is earlier.
insert into cohort_members (cohort_name, patient_id, entry_date, end_of_followup_date)
select
    $name,
    c.patient_id,
    c.entry_date,
    case
        when f.followup_end_date is null or cast($end_of_followup as date) is null then f.followup_end_date
        else least(f.followup_end_date, cast($end_of_followup as date))
    end
from cohort_candidates as c
left join patient_followup as f using (patient_id);
