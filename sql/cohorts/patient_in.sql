-- Criterion fragment: the patient's column (from the whitelist in registry.cohorts) is one of $values.
-- A missing value matches nothing. Used inside keep_matching / drop_matching with candidates `c`.
exists (
    select 1 from patients as p
    where p.patient_id = c.patient_id and list_contains($values, {column})
)
