r_{{column}} is null
