case when try_cast(r_{{column}} as double) = trunc(try_cast(r_{{column}} as double)) and abs(try_cast(r_{{column}} as double)) < 1e15 then try_cast(r_{{column}} as double)::bigint end as {{stored}}
