($canon_{{column}})[coalesce(list_position($canon_{{column}}, r_{{column}}), list_position($lower_{{column}}, lower(r_{{column}})))] as {{stored}}
