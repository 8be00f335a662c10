case when regexp_full_match(r_{{column}}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_strptime(r_{{column}}, '%Y-%m-%d')::date end as {{stored}}
