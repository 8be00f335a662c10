-- Imported lesion IDs that differ only in case from another lesion ID of the same timepoint, in the registry
-- or in this import. Only the imported timepoints' registry rows are read.
with ids as (
    select r.timepoint_id, r.lesion_id as id from lesion_reads r
    where r.timepoint_id in (select timepoint_id from {{typed}})
    union
    select timepoint_id, lesion_id from {{typed}} where lesion_id is not null
),
clashes as (
    select i._file, i._row, i.timepoint_id, i.lesion_id as id, min(o.id) as other
    from {{typed}} i
    join ids o on o.timepoint_id = i.timepoint_id and lower(o.id) = lower(i.lesion_id) and o.id <> i.lesion_id
    group by i._file, i._row, i.timepoint_id, i.lesion_id
)
select _file as file, _row as row, $column as column,
    $column || ' ''' || id || ''' differs only in case from ''' || other || ''' at timepoint ' || timepoint_id
        || '; use one spelling' as message
from clashes
order by _row
