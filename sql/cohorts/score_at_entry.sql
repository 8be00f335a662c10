-- Criterion fragment: the score of the latest scored timepoint dated up to $last_day days from entry
-- (0: at or before entry; -1: strictly before, for PRRT entry) is one of $scores.
-- Depends on: cohort_timepoints (prepare_timepoints).
c.patient_id in (
    select e.patient_id
    from cohort_candidates as e
    join cohort_timepoints as tp using (patient_id)
    where tp.score is not null and date_diff('day', e.entry_date, tp.timepoint_date) <= $last_day
    group by e.patient_id
    having list_contains($scores, arg_max(tp.score, tp.timepoint_number))
)
