-- Store a registry setting.
insert into settings (name, value) values ($name, $value)
