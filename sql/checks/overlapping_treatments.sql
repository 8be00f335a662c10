-- overlapping_treatments: two courses of the same treatment of one patient that overlap in time.
-- Why: a course entered twice (or a missing end date) double-counts lines of therapy. Different
-- treatments may overlap by design (a somatostatin analogue continued alongside PRRT), so only courses of
-- the same treatment are compared. An open course runs to $as_of. Severity warning.
with courses as (
    select patient_id, treatment_id, treatment, start_date, coalesce(end_date, $as_of::date) as stop_date
    from treatments
)
select
    'warning' as severity,
    a.patient_id,
    a.treatment_id as record_id,
    'course of ' || a.treatment || ' from ' || a.start_date || ' overlaps course ' || b.treatment_id
        || ' from ' || b.start_date as message
from courses as a
join courses as b
    on a.patient_id = b.patient_id and a.treatment = b.treatment and a.treatment_id < b.treatment_id
where a.start_date <= b.stop_date and b.start_date <= a.stop_date
