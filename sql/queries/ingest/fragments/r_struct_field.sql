{{stored}} := r.{{stored}}
