r_{{column}}
