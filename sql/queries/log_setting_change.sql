-- Record a change of a registry setting in the change history (registry.db.Registry.set_setting).
insert into change_log (operator, command, table_name, row_key, action, before, after)
values ($operator, $command, 'settings', $name, 'update', $before, $after)
