-- The next value of a sequence in a PostgreSQL registry; $query is `select nextval('<sequence>') as id`
-- built by registry.db.Registry.next_id from its fixed list of sequence names.
select id from postgres_query('registry', $query)
