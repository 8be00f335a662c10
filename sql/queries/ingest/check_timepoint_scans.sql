-- Timepoints whose scans are of the wrong tracer, of another patient, or further apart than the pairing
-- window ($window days). Rows already in the registry count; the timepoint row is blamed when it is
-- imported, else the imported scan that breaks it. $sstr lists the SSTR tracers.
with tp as (
    select t.timepoint_id, t.patient_id, t.sstr_scan_id, t.fdg_scan_id, t._file, t._row,
        s.tracer as s_tracer, s.patient_id as s_patient, s.scan_date as s_date, s._file as s_file, s._row as s_row,
        f.tracer as f_tracer, f.patient_id as f_patient, f.scan_date as f_date, f._file as f_file, f._row as f_row
    from _all_timepoints t
    join _all_pet_scans s on s.scan_id = t.sstr_scan_id
    join _all_pet_scans f on f.scan_id = t.fdg_scan_id
    where t._row is not null or s._row is not null or f._row is not null
),
problems as (
    select _file, _row, 'sstr_scan_id' as t_column,
        'scan ' || sstr_scan_id || ' has tracer ' || s_tracer || ', not an SSTR tracer' as t_message,
        s_file as o_file, s_row as o_row, 'tracer' as o_column,
        'scan ' || sstr_scan_id || ' is the SSTR scan of timepoint ' || timepoint_id
            || ' but its tracer is ' || s_tracer as o_message
    from tp where s_tracer is not null and not list_contains($sstr, s_tracer)
    union all
    select _file, _row, 'fdg_scan_id',
        'scan ' || fdg_scan_id || ' has tracer ' || f_tracer || ', not fdg',
        f_file, f_row, 'tracer',
        'scan ' || fdg_scan_id || ' is the FDG scan of timepoint ' || timepoint_id || ' but its tracer is ' || f_tracer
    from tp where f_tracer is not null and f_tracer <> 'fdg'
    union all
    select _file, _row, 'sstr_scan_id',
        'scan ' || sstr_scan_id || ' belongs to patient ' || s_patient || ', not ' || patient_id,
        s_file, s_row, 'patient_id',
        'scan ' || sstr_scan_id || ' is the SSTR scan of timepoint ' || timepoint_id || ' of patient ' || patient_id
    from tp where s_patient <> patient_id
    union all
    select _file, _row, 'fdg_scan_id',
        'scan ' || fdg_scan_id || ' belongs to patient ' || f_patient || ', not ' || patient_id,
        f_file, f_row, 'patient_id',
        'scan ' || fdg_scan_id || ' is the FDG scan of timepoint ' || timepoint_id || ' of patient ' || patient_id
    from tp where f_patient <> patient_id
    union all
    select _file, _row, 'fdg_scan_id',
        'scans ' || sstr_scan_id || ' and ' || fdg_scan_id || ' are ' || abs(date_diff('day', s_date, f_date))
            || ' days apart; the pairing window is ' || $window || ' days',
        coalesce(f_file, s_file), coalesce(f_row, s_row), 'scan_date',
        'timepoint ' || timepoint_id || ' pairs scans ' || sstr_scan_id || ' and ' || fdg_scan_id || ' '
            || abs(date_diff('day', s_date, f_date)) || ' days apart; the pairing window is ' || $window || ' days'
    from tp where abs(date_diff('day', s_date, f_date)) > $window
)
select
    coalesce(_file, o_file) as file,
    coalesce(_row, o_row) as row,
    case when _row is null then o_column else t_column end as column,
    case when _row is null then o_message else t_message end as message
from problems
order by file, row
