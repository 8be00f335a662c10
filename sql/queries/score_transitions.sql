-- Consecutive dual-PET timepoints of each patient as (from, to) pairs. Read by analysis.longitudinal.
select * from (
    select
        patient_id,
        timepoint_number,
        lag(timepoint_date) over w as from_date,
        timepoint_date as to_date,
        lag(netpet_score) over w as from_score,
        netpet_score as to_score,
        lag(netpet_group) over w as from_group,
        netpet_group as to_group
    from timepoint_scores
    window w as (partition by patient_id order by timepoint_number)
)
where timepoint_number > 1
order by patient_id, timepoint_number
