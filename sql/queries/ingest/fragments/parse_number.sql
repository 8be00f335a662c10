case when isfinite(try_cast(r_{{column}} as double)) then try_cast(r_{{column}} as double) end as {{stored}}
