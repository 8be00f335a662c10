-- The members of one saved cohort with their entry and end-of-follow-up dates.
select patient_id, entry_date, end_of_followup_date
from cohort_members
where cohort_name = $name
order by patient_id;
