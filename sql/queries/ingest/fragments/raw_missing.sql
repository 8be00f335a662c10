null::varchar as r_{{column}}
