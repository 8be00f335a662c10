-- Forget a cohort's members.
delete from cohort_members where cohort_name = $name;
