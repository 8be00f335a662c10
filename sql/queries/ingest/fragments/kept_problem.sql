($required_{{column}} and {{stored}} is null and r_{{column}} is null) or r_{{column}} is not null
