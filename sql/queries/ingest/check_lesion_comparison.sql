-- Lesion reads avid on both scans without the reader's FDG-vs-SSTR comparison.
select _file as file, _row as row, 'fdg_vs_sstr' as column,
    'required when both sstr_avid and fdg_avid are true' as message
from _typed_lesion_reads
where sstr_avid and fdg_avid and fdg_vs_sstr is null and r_fdg_vs_sstr is null
order by _row
