-- Imported lesion IDs that differ only in case from another lesion ID of the same timepoint, in the registry
-- or in this import. Only the imported timepoints' registry rows are read.
-- Two different IDs with one lower-case form cannot both be lower case already, so only the (timepoint,
-- lower-case ID) groups holding an ID that lower-casing changes can clash (`folded`: none in most imports).
-- Every ID is read once to find them; the join runs over their members only (at 55M reads it grouped them all).
with registry_ids as (
    select r.timepoint_id, r.lesion_id as id from lesion_reads r
    where r.timepoint_id in (select timepoint_id from {{typed}})
),
folded as (
    select timepoint_id, lower(lesion_id) as folded from {{typed}} where lesion_id <> lower(lesion_id)
    union
    select timepoint_id, lower(id) from registry_ids where id <> lower(id)
),
ids as (
    select o.timepoint_id, o.id from registry_ids o semi join folded f
        on f.timepoint_id = o.timepoint_id and f.folded = lower(o.id)
    union
    select i.timepoint_id, i.lesion_id from {{typed}} i semi join folded f
        on f.timepoint_id = i.timepoint_id and f.folded = lower(i.lesion_id)
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
