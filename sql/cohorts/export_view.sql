-- Rows of one analysis view ({view}, from the whitelist in registry.export) for export: the members of
-- cohort $cohort, or every patient when $cohort is null.
select v.*
from {view} as v
where cast($cohort as varchar) is null
    or v.patient_id in (select m.patient_id from cohort_members as m where m.cohort_name = $cohort)
order by {order};
