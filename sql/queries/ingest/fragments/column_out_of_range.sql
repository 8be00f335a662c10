{{stored}} < $low_{{column}} or ($low_open_{{column}} and {{stored}} = $low_{{column}}) or {{stored}} > $high_{{column}}
