-- Criterion fragment: the patient's column (from the whitelist in registry.cohorts) lies in
-- [$low, $high], both ends included. A missing value matches nothing.
exists (
    select 1 from patients as p
    where p.patient_id = c.patient_id and {column} between $low and $high
)
