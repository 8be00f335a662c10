-- For imported rows whose patient_id is unknown ($rows), the patient whose id differs only in case or spacing:
-- the fix the error names. Run only when check_references.sql found unknown patient ids.
select i._file as file, i._row as row, min(p.patient_id) as existing
from {{typed}} i
join _all_patients p
    on regexp_replace(lower(p.patient_id), '\s', '', 'g') = regexp_replace(lower(i.patient_id), '\s', '', 'g')
    and p.patient_id <> i.patient_id
where list_contains($rows, i._row)
group by i._file, i._row
