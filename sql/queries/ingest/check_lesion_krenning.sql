-- Lesion reads whose modified Krenning score contradicts the reader's SSTR call (avid = Krenning 2-4).
select _file as file, _row as row, 'sstr_krenning' as column,
    'Krenning ' || sstr_krenning || ' contradicts sstr_avid = ' || sstr_avid
    || ' (a lesion is SSTR-avid when its Krenning score is 2-4)' as message
from _typed_lesion_reads
where sstr_krenning is not null and sstr_avid is not null and (sstr_krenning >= 2) <> sstr_avid
order by _row
