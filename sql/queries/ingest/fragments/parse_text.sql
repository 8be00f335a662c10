r_{{column}} as {{stored}}
