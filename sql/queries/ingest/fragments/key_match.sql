i.{{column}} = r.{{column}}
