-- ID cells holding anything but the characters an ID may hold ($id_pattern; registry.identifiers explains
-- each one found in Python, which knows Unicode's names and normal forms). A control character is reported by
-- check_cells.sql already.
select _row as row, {{stored}} as value
from {{typed}}
where {{stored}} is not null and not regexp_full_match({{stored}}, $id_pattern)
    and not regexp_matches({{stored}}, $control)
order by _row
