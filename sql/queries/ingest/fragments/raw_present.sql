nullif(trim(cast("{{column}}" as varchar)), '') as r_{{column}}
