-- Whether the registry holds any lesion read or derived score: without either (a first load) the importer
-- scores every timepoint after its write instead of listing the ones its reads touch (registry/ingest.py).
select exists (select 1 from lesion_reads) or exists (select 1 from derived_scores)
