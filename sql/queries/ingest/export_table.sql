-- One registry table in the interchange format's column names and order (registry.interchange).
select {{columns}} from {{table}} order by {{keys}}
