-- The attrition of one saved cohort: patients remaining after each step, in order.
select step, kind, criterion, remaining, removed
from cohort_attrition
where cohort_name = $name
order by step;
