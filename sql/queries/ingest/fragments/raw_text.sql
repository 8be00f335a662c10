coalesce(r_{{column}}, {{stored}})
