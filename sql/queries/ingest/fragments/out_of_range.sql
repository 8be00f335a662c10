{{parsed}} < $low or ($low_open and {{parsed}} = $low) or {{parsed}} > $high
