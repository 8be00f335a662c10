-- Record one applied migration with the checksum of its file.
insert into schema_migrations (name, sha256) values ($name, $sha256)
