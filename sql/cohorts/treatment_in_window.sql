-- Criterion fragment: the patient started a treatment in $types $first_day..$last_day days from entry
-- (negative = before). Depends on: treatments.
exists (
    select 1 from treatments as t
    where t.patient_id = c.patient_id
        and list_contains($types, t.treatment)
        and date_diff('day', c.entry_date, t.start_date) between $first_day and $last_day
)
