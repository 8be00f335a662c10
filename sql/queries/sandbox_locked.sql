-- Whether this connection's configuration is locked already (registry.sandbox.lock_down ran).
select current_setting('lock_configuration') as locked
