-- The import batches committed so far: after a lost race, the batches not among them are the other writers'.
select coalesce(list(batch_id), []::integer[]) as batches from import_batches
