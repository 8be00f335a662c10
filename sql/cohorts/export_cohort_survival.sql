-- The cohort_survival rows of one cohort for export, in patient order.
select * exclude (cohort_name)
from cohort_survival
where cohort_name = $cohort
order by patient_id;
