-- One registry setting's stored value (absent = the default in registry.db.DEFAULT_SETTINGS).
select value from settings where name = $name
