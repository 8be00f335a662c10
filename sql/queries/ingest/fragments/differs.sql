i.{{column}} is distinct from r.{{column}}
