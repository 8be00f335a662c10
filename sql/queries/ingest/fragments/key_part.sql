cast(i.{{column}} as varchar)
