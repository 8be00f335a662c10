-- A small registry for the scoring, lesion-tracking and pairing tests (the importer is not used here).
-- Patient A moves P3 -> P5: bone-1 turns discordant, node-1 resolves, lung-1 is new; the recorded score
-- of A-T2 (3) disagrees with the derived one (5); A-T3 has a recorded score only.
-- Patient B: recorded P4 but the reads only support P2 (derived lower).
-- Patient C: scans for pairing: C-S1/C-F1 14 days apart, C-S2 alone, C-S3 and C-S4 both 5 days from C-F2.
insert into patients (patient_id, diagnosis_date, primary_site) values
    ('A', '2019-06-01', 'pancreas'), ('B', '2019-06-01', 'small_bowel'), ('C', '2021-06-01', 'lung');

insert into pet_scans (scan_id, patient_id, tracer, scan_date) values
    ('A-S1', 'A', 'ga68_dotatate', '2020-01-10'), ('A-F1', 'A', 'fdg', '2020-01-20'),
    ('A-S2', 'A', 'ga68_dotatate', '2020-07-01'), ('A-F2', 'A', 'fdg', '2020-07-05'),
    ('A-S3', 'A', 'ga68_dotatoc', '2021-01-01'), ('A-F3', 'A', 'fdg', '2021-01-03'),
    ('B-S1', 'B', 'ga68_dotatate', '2020-03-01'), ('B-F1', 'B', 'fdg', '2020-03-02'),
    ('C-S1', 'C', 'ga68_dotatate', '2022-01-01'), ('C-F1', 'C', 'fdg', '2022-01-15'),
    ('C-S2', 'C', 'cu64_dotatate', '2022-03-01'),
    ('C-S3', 'C', 'ga68_dotatate', '2022-06-05'), ('C-F2', 'C', 'fdg', '2022-06-10'),
    ('C-S4', 'C', 'ga68_dotatate', '2022-06-15');

insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score) values
    ('A-T1', 'A', 'A-S1', 'A-F1', 3),
    ('A-T2', 'A', 'A-S2', 'A-F2', 3),
    ('A-T3', 'A', 'A-S3', 'A-F3', 5),
    ('B-T1', 'B', 'B-S1', 'B-F1', 4);

insert into lesion_reads (timepoint_id, lesion_id, location, sstr_avid, fdg_avid, fdg_vs_sstr) values
    ('A-T1', 'liver-s7', 'liver', true, true, 'similar'),
    ('A-T1', 'bone-1', 'bone', true, false, null),
    ('A-T1', 'node-1', 'lymph_node', true, false, null),
    ('A-T2', 'liver-s7', 'liver', true, true, 'similar'),
    ('A-T2', 'bone-1', 'bone', false, true, null),
    ('A-T2', 'lung-1', 'lung', true, false, null),
    ('B-T1', 'liver-1', 'liver', true, true, 'lower'),
    ('B-T1', 'liver-2', 'liver', true, false, null);
