case when i.{{stored}} is distinct from r.{{stored}} then '{{column}}' end
