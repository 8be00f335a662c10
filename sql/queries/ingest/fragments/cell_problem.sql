($required_{{column}} and r_{{column}} is null) or (r_{{column}} is not null and {{stored}} is null) or length(r_{{column}}) > $max_chars or regexp_matches(r_{{column}}, $control) or ({{range}})
