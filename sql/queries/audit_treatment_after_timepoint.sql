-- One row per dual-PET timepoint: the first treatment started within $window_days after it (and before the
-- patient's next timepoint), as a class, and whether PRRT was started in that interval.
-- Read by analysis.audit_report (practice against guidance). Ties on a start date go to the class that
-- matters most for guidance (PRRT, then chemotherapy, ...).
with tp as (
    select
        t.*,
        lead(t.timepoint_date) over (partition by t.patient_id order by t.timepoint_number) as next_date
    from timepoint_scores as t
    where t.timepoint_date <= $as_of::date
),
classed as (
    select
        patient_id,
        start_date,
        case
            when treatment = 'prrt_lu177_dotatate' then 'prrt'
            when treatment in ('capecitabine_temozolomide', 'platinum_etoposide') then 'chemotherapy'
            when treatment in ('everolimus', 'sunitinib') then 'targeted'
            when treatment in ('sirt', 'tace') then 'liver_directed'
            when treatment = 'surgery' then 'surgery'
            when treatment in ('ssa_octreotide', 'ssa_lanreotide') then 'ssa'
            else 'other'
        end as treatment_class
    from treatments
),
following as (
    select
        tp.timepoint_id,
        c.treatment_class,
        row_number() over (
            partition by tp.timepoint_id
            order by c.start_date, list_position(
                ['prrt', 'chemotherapy', 'targeted', 'liver_directed', 'surgery', 'ssa', 'other'],
                c.treatment_class)
        ) as rank_in_window
    from tp
    join classed as c
        on c.patient_id = tp.patient_id
       and c.start_date >= tp.timepoint_date
       and c.start_date <= tp.timepoint_date + to_days($window_days::integer)
       and (tp.next_date is null or c.start_date < tp.next_date)
)
select
    tp.timepoint_id,
    tp.patient_id,
    coalesce(p.site, 'unknown') as site,
    tp.timepoint_date,
    coalesce(tp.netpet_group, 'no score') as netpet_group,
    coalesce(first_tx.treatment_class, 'none') as next_treatment,
    exists (select 1 from following as f where f.timepoint_id = tp.timepoint_id and f.treatment_class = 'prrt')
        as prrt_given
from tp
join patients as p using (patient_id)
left join following as first_tx on first_tx.timepoint_id = tp.timepoint_id and first_tx.rank_in_window = 1
