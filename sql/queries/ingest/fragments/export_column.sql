{{stored}} as {{column}}
