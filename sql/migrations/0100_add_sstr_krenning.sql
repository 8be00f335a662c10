-- The optional lesion-read column sstr_krenning (docs/import-format.md): the modified Krenning score 0-4 of
-- the lesion's SSTR uptake, which the Zidan scheme of `netpet validate` needs (uptake above liver: 3-4).
-- Existing reads get none. The importer refuses a score outside 0-4 and one that contradicts sstr_avid
-- (avid = Krenning 2-4; ingest/check_lesion_krenning.sql). The column is added in place rather than by
-- rebuilding the table with CHECK constraints (DuckDB cannot add a column with a constraint): a rebuild
-- would copy tens of millions of reads and drop the PostgreSQL roles' grants on the table.
alter table lesion_reads add column sstr_krenning smallint;
