case when not regexp_matches(r_{{column}}, $formula_start) then r_{{column}} end as {{stored}}
