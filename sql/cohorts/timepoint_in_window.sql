-- Criterion fragment: the patient has a dual-PET timepoint dated $first_day..$last_day days from entry
-- (negative = before), with a score in $scores when $scores is given.
-- Depends on: cohort_timepoints (prepare_timepoints).
exists (
    select 1 from cohort_timepoints as tp
    where tp.patient_id = c.patient_id
        and date_diff('day', c.entry_date, tp.timepoint_date) between $first_day and $last_day
        and (cast($scores as integer[]) is null or list_contains(cast($scores as integer[]), tp.score))
)
