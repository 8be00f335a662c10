i.{{column}} is not null
