-- New patients whose id differs from another patient's (in the registry, or earlier in this import) only in case
-- or spacing: most often the same patient typed twice, which would split one patient's records in two.
select i._file as file, i._row as row, 'patient_id' as column,
    'patient_id ' || i.patient_id || ' differs from patient ' || min(p.patient_id)
        || ' only in case or spacing: if it is the same patient, write ' || min(p.patient_id)
        || ' exactly (IDs are matched as written)' as message
from _typed_patients i
join _all_patients p
    on regexp_replace(lower(p.patient_id), '\s', '', 'g') = regexp_replace(lower(i.patient_id), '\s', '', 'g')
    and p.patient_id <> i.patient_id
    and (p._row is null or p._row < i._row)
where i.patient_id is not null
group by i._file, i._row, i.patient_id
order by i._row
