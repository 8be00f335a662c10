($canon_{{column}})[list_position($lower_{{column}}, lower(r_{{column}}))] as {{stored}}
