case when regexp_full_match(upper(r_{{column}}), 'P?[0-5]') then cast(right(r_{{column}}, 1) as tinyint) end as {{stored}}
