-- The applied migrations, oldest first.
select name, sha256, applied_at from schema_migrations order by name
