($required_{{column}} and r_{{column}} is null) or (r_{{column}} is not null and {{stored}} is null)
