-- Forget a cohort's record (its members and attrition are deleted by their own files first).
delete from cohorts where name = $name;
