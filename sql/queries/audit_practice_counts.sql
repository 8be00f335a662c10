-- Timepoints per site x NETPET group x first treatment after them (temp table audit_practice, made by
-- audit_treatment_after_timepoint), with, for groups P1 and P5 (null for the others), the group's patients at
-- the site and those of them given PRRT after one of its timepoints (repeated on each of the group's rows).
-- Read by analysis.audit_report (practice by group, and P1/P5 by site).
with per_patient as (
    select site, netpet_group, patient_id, bool_or(prrt_given) as prrt_given
    from audit_practice
    where netpet_group in ('P1', 'P5')
    group by all
),
per_group as (
    select site, netpet_group, count(*) as patients, count(*) filter (where prrt_given) as prrt_patients
    from per_patient
    group by all
),
per_class as (
    select site, netpet_group, next_treatment, count(*) as timepoints
    from audit_practice
    group by all
)
select c.site, c.netpet_group, c.next_treatment, c.timepoints, g.patients, g.prrt_patients
from per_class as c
left join per_group as g using (site, netpet_group);
