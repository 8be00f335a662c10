-- Into temp table audit_practice, one row per dual-PET timepoint: the first treatment started within
-- $window_days after it (and before the patient's next timepoint), as a class, and whether PRRT was started in
-- that interval. Ties on a start date go to the class that matters most for guidance (PRRT, then
-- chemotherapy, ...). Read by analysis.audit_report through audit_practice_counts and audit_discordant_prrt
-- (a table, so that a million patients' 3.2M rows are counted where they are instead of in Python).
-- The treatments in each timepoint's interval are reduced by one grouping: the smallest key start date x 8
-- + class rank gives the first treatment's class (its rank is the key mod 8), bool_or whether PRRT was
-- among them. (A row_number window per timepoint plus an EXISTS took ~4 s of the audit at a million
-- patients.) Rows come in no particular order.
create or replace temp table audit_practice as
with tp as (
    select
        timepoint_id,
        patient_id,
        timepoint_date,
        netpet_group,
        lead(timepoint_date) over (partition by patient_id order by timepoint_number) as next_date
    from timepoint_scores
    where timepoint_date <= $as_of::date
),
classed as (
    select
        patient_id,
        start_date,
        case
            when treatment = 'prrt_lu177_dotatate' then 1
            when treatment in ('capecitabine_temozolomide', 'platinum_etoposide') then 2
            when treatment in ('everolimus', 'sunitinib') then 3
            when treatment in ('sirt', 'tace') then 4
            when treatment = 'surgery' then 5
            when treatment in ('ssa_octreotide', 'ssa_lanreotide') then 6
            else 7
        end as class_rank
    from treatments
),
following as (
    select
        tp.timepoint_id,
        min(date_diff('day', date '0001-01-01', c.start_date) * 8 + c.class_rank) as first_key,
        bool_or(c.class_rank = 1) as prrt_given
    from tp
    join classed as c
        on c.patient_id = tp.patient_id
       and c.start_date >= tp.timepoint_date
       and c.start_date <= tp.timepoint_date + to_days($window_days::integer)
       and (tp.next_date is null or c.start_date < tp.next_date)
    group by tp.timepoint_id
)
select
    tp.timepoint_id,
    tp.patient_id,
    coalesce(p.site, 'unknown') as site,
    tp.timepoint_date,
    coalesce(tp.netpet_group, 'no score') as netpet_group,
    coalesce(
        ['prrt', 'chemotherapy', 'targeted', 'liver_directed', 'surgery', 'ssa', 'other'][f.first_key % 8],
        'none'
    ) as next_treatment,
    coalesce(f.prrt_given, false) as prrt_given
from tp
join patients as p using (patient_id)
left join following as f using (timepoint_id);
