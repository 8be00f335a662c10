{{stored}} := i.{{stored}}
