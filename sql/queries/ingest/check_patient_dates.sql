-- Impossible dates across a patient's records, registry rows included: anything before birth, anything
-- after death, death before diagnosis, more than one death. An imported row is blamed when one is involved.
with patients as (
    select patient_id, birth_date, diagnosis_date, _file, _row from _all_patients
),
deaths as (
    select patient_id, outcome_date as death_date, _file, _row from _all_outcomes where outcome = 'death'
),
events as (
    select patient_id, 'scan ' || scan_id as what, 'scan_date' as col, scan_date as d, _file, _row
    from _all_pet_scans
    union all
    select patient_id, 'treatment ' || treatment_id, 'start_date', start_date, _file, _row from _all_treatments
    union all
    select patient_id, 'treatment ' || treatment_id, 'end_date', end_date, _file, _row from _all_treatments
    where end_date is not null
    union all
    select patient_id, outcome || ' outcome', 'outcome_date', outcome_date, _file, _row from _all_outcomes
),
problems as (
    select e._file, e._row, e.col as t_column, e.col || ' is before the patient''s birth_date' as t_message,
        p._file as o_file, p._row as o_row, 'birth_date' as o_column,
        'birth_date is after the ' || e.col || ' of ' || e.what as o_message
    from events e join patients p using (patient_id)
    where e.d < p.birth_date and (e._row is not null or p._row is not null)
    union all
    select _file, _row, 'diagnosis_date', 'diagnosis_date is before birth_date', null, null, null, null
    from patients where diagnosis_date < birth_date and _row is not null
    union all
    select e._file, e._row, e.col, e.col || ' is after the patient''s death',
        x._file, x._row, 'outcome_date', 'death is dated before the ' || e.col || ' of ' || e.what
    from events e join deaths x using (patient_id)
    where e.d > x.death_date and e.what <> 'death outcome' and (e._row is not null or x._row is not null)
    union all
    select x._file, x._row, 'outcome_date', 'death is dated before the patient''s diagnosis_date',
        p._file, p._row, 'diagnosis_date', 'diagnosis_date is after the patient''s death'
    from deaths x join patients p using (patient_id)
    where x.death_date < p.diagnosis_date and (x._row is not null or p._row is not null)
    union all
    select _file, _row, 'outcome', 'more than one death for patient ' || patient_id, null, null, null, null
    from (select *, count(*) over (partition by patient_id) as n from deaths)
    where n > 1 and _row is not null
)
select
    coalesce(_file, o_file) as file,
    coalesce(_row, o_row) as row,
    case when _row is null then o_column else t_column end as column,
    case when _row is null then o_message else t_message end as message
from problems
order by file, row
