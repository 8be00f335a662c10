-- Record one attrition step of a cohort build (the patients remaining after the step).
insert into cohort_attrition (cohort_name, step, kind, criterion, remaining, removed)
values ($name, $step, $kind, $criterion, $remaining, $removed);
