-- Treatment courses that end before they start.
select _file as file, _row as row, 'end_date' as column, 'end_date is before start_date' as message
from _typed_treatments
where end_date < start_date
order by _row
