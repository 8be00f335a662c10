case when lower(r_{{column}}) in ('true', 't', 'yes', '1') then true when lower(r_{{column}}) in ('false', 'f', 'no', '0') then false end as {{stored}}
