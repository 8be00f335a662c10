-- The registry state a cohort is built on: the last import batch and the row count of every clinical table.
select
    (select max(batch_id) from import_batches) as last_batch_id,
    (select count(*) from patients) as patients,
    (select count(*) from pet_scans) as pet_scans,
    (select count(*) from timepoints) as timepoints,
    (select count(*) from lesion_reads) as lesion_reads,
    (select count(*) from treatments) as treatments,
    (select count(*) from outcomes) as outcomes;
