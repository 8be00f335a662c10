-- Forget a cohort's attrition steps.
delete from cohort_attrition where cohort_name = $name;
