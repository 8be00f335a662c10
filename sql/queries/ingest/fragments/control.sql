regexp_matches({{stored}}, $control)
