{{stored}} = i.{{stored}}
