-- Remove a stored setting before storing its new value (portable to PostgreSQL, unlike INSERT OR REPLACE).
delete from settings where name = $name
