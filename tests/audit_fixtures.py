"""Fixture registries for the audit tests, filled with SQL inserts (independent of the importer).

`seed_clean` writes two patients that pass every check; `TRIPS` holds, per check, the inserts that make
exactly that check fail on top of the clean data. `seed_cohort` writes a deterministic multi-site cohort
for the report tests.
"""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta
from pathlib import Path

AS_OF = date(2025, 1, 1)

CLEAN = """
insert into import_batches (batch_id, imported_at, operator, command, source)
    values (1, '2021-03-01 10:00:00', 'test', 'import', 'site-a');
insert into patients values
    ('P001', 'A', 'female', '1960-01-01', '2020-01-01', 'pancreas', 'G2', 10, 1),
    ('P002', 'B', 'male', '1955-03-03', '2019-05-01', 'small_bowel', 'G3', 30, 1);
insert into pet_scans values
    ('S1', 'P001', 'ga68_dotatate', '2020-02-01', 1),
    ('F1', 'P001', 'fdg', '2020-02-10', 1),
    ('S2', 'P002', 'cu64_dotatate', '2019-06-01', 1),
    ('F2', 'P002', 'fdg', '2019-06-05', 1);
insert into timepoints values ('T1', 'P001', 'S1', 'F1', 1, 1), ('T2', 'P002', 'S2', 'F2', 5, 1);
insert into derived_scores values ('T1', 1, null, 2, 0);
insert into treatments values
    ('R1', 'P001', 'prrt_lu177_dotatate', '2020-03-01', '2020-09-01', 4, 29.6, 'completed', 1),
    ('R2', 'P001', 'ssa_octreotide', '2020-03-01', null, null, null, null, 1),
    ('R3', 'P002', 'capecitabine_temozolomide', '2019-07-01', '2020-06-01', null, null, 'progression', 1);
insert into outcomes values
    ('P001', 'last_contact', '2024-10-01', null, 1),
    ('P002', 'progression', '2020-05-01', 'recist_1_1', 1),
    ('P002', 'death', '2021-01-01', 'disease', 1);
"""

#: check name -> SQL that makes that check (and only it) fail on top of `CLEAN`.
TRIPS: dict[str, str] = {
    # Run with refresh=False (it is in OUTSIDE_NETPET): a clinical row edited without netpet's write path.
    "analysis_tables_stale": """
        update patients set who_grade = 'G1' where patient_id = 'P002';""",
    "missing_clinical_fields": """
        insert into patients values
            ('P003', 'A', 'female', '1970-01-01', '2020-01-01', 'unknown', null, null, 1);
        insert into outcomes values ('P003', 'last_contact', '2024-12-01', null, 1);""",
    "pairing_outside_window": """
        insert into pet_scans values ('S3', 'P001', 'ga68_dotatate', '2022-01-01', 1),
            ('F3', 'P001', 'fdg', '2022-03-01', 1);
        insert into timepoints values ('T3', 'P001', 'S3', 'F3', 1, 1);""",
    "timepoint_without_score": """
        insert into pet_scans values ('S3', 'P001', 'ga68_dotatate', '2022-01-01', 1),
            ('F3', 'P001', 'fdg', '2022-01-05', 1);
        insert into timepoints values ('T3', 'P001', 'S3', 'F3', null, 1);""",
    "recorded_score_mismatch": """
        insert into pet_scans values ('S3', 'P001', 'ga68_dotatate', '2022-01-01', 1),
            ('F3', 'P001', 'fdg', '2022-01-05', 1);
        insert into timepoints values ('T3', 'P001', 'S3', 'F3', 2, 1);
        insert into derived_scores values ('T3', 5, null, 3, 1);""",
    "event_after_death": """
        insert into treatments values
            ('R4', 'P002', 'everolimus', '2021-02-01', null, null, null, null, 1);""",
    "overlapping_treatments": """
        insert into treatments values
            ('R4', 'P001', 'prrt_lu177_dotatate', '2020-08-01', '2020-12-01', 2, 14.8, null, 1);""",
    "prrt_without_prior_sstr_pet": """
        insert into treatments values
            ('R4', 'P002', 'prrt_lu177_dotatate', '2019-05-15', '2019-05-20', 1, 7.4, null, 1);""",
    "lost_to_follow_up": """
        delete from outcomes where patient_id = 'P001';
        insert into outcomes values ('P001', 'last_contact', '2023-06-01', null, 1);""",
    "duplicate_patients": """
        insert into patients values
            ('P009', 'B', 'female', '1960-01-01', '2020-01-01', 'pancreas', 'G1', 2, 1);
        insert into outcomes values ('P009', 'last_contact', '2024-11-01', null, 1);""",
}

#: The trips that stand for an edit made outside netpet: run without re-deriving the analysis rows.
OUTSIDE_NETPET = {"analysis_tables_stale"}

#: check name -> the patients its trip fixture makes fail.
TRIP_PATIENTS: dict[str, set[str]] = {
    "analysis_tables_stale": {"P002"},
    "missing_clinical_fields": {"P003"},
    "pairing_outside_window": {"P001"},
    "timepoint_without_score": {"P001"},
    "recorded_score_mismatch": {"P001"},
    "event_after_death": {"P002"},
    "overlapping_treatments": {"P001"},
    "prrt_without_prior_sstr_pet": {"P002"},
    "lost_to_follow_up": {"P001"},
    "duplicate_patients": {"P001", "P009"},
}

#: check name -> the severity its failing rows carry.
SEVERITY: dict[str, str] = {
    "analysis_tables_stale": "error",
    "missing_clinical_fields": "warning",
    "pairing_outside_window": "error",
    "timepoint_without_score": "warning",
    "recorded_score_mismatch": "warning",
    "event_after_death": "error",
    "overlapping_treatments": "warning",
    "prrt_without_prior_sstr_pet": "warning",
    "lost_to_follow_up": "warning",
    "duplicate_patients": "warning",
}


def run_script(reg, script: str, *, refresh: bool = True) -> None:
    """Run `;`-separated statements in one transaction, then re-derive the analysis rows as a write does.

    `refresh=False` leaves them as they were: an edit made outside netpet.
    """
    from netpet.registry.analysis_tables import refresh_analysis_tables

    with reg.transaction() as con:
        for statement in script.split(";"):
            if statement.strip():
                con.execute(statement)
        if refresh:
            refresh_analysis_tables(con)


def seed_clean(reg) -> None:
    """Write the two patients that pass every check."""
    run_script(reg, CLEAN)


SITES = {"A": 40, "B": 25, "C": 3}  # site C is small: its counts must be suppressed
TREATMENT_BY_GROUP = {1: "prrt_lu177_dotatate", 3: "ssa_lanreotide", 5: "capecitabine_temozolomide"}


def seed_cohort(reg, *, seed: int = 7) -> None:
    """Write a deterministic cohort over three sites (one tiny), with gaps, scores and treatments."""
    from netpet.registry.analysis_tables import refresh_analysis_tables

    rng = random.Random(seed)
    rows: dict[str, list[tuple]] = {
        k: [] for k in ("patients", "pet_scans", "timepoints", "treatments", "outcomes")
    }
    n = 0
    for site, count in SITES.items():
        for _ in range(count):
            n += 1
            pid = f"Q{n:03d}"
            diagnosis = date(2016 + n % 6, 1 + n % 12, 1 + n % 27)
            rows["patients"].append(
                (
                    pid,
                    site,
                    rng.choice(["female", "male"]),
                    date(1950 + n % 20, 1 + n % 12, 1 + n % 27),
                    diagnosis,
                    rng.choice(["pancreas", "small_bowel", "unknown"]) if n % 9 == 0 else "pancreas",
                    None if n % 7 == 0 else rng.choice(["G1", "G2", "G3"]),
                    None if n % 4 == 0 else round(rng.uniform(1, 40), 1),
                    1,
                )
            )
            scan = diagnosis + timedelta(days=30 + rng.randrange(60))
            score = rng.choice([1, 1, 1, 3, 3, 5])
            batch = 1 if scan < date(2020, 6, 1) else 2  # the batch that imported the scan came after it
            rows["pet_scans"] += [
                (f"S{pid}", pid, "ga68_dotatate", scan, batch),
                (f"F{pid}", pid, "fdg", scan + timedelta(days=rng.randrange(20)), batch),
            ]
            rows["timepoints"].append((f"T{pid}", pid, f"S{pid}", f"F{pid}", score, 1 + n % 3))
            if n % 5:
                start = scan + timedelta(days=40)
                # Some P5 (discordant) patients get PRRT against guidance, for the report to flag.
                against = n % 11 == 0 or (score == 5 and n % 2 == 0)
                treatment = "prrt_lu177_dotatate" if against else TREATMENT_BY_GROUP[score]
                rows["treatments"].append(
                    (f"R{pid}", pid, treatment, start, start + timedelta(days=150), None, None, None, 1)
                )
            end = scan + timedelta(days=200 + rng.randrange(1500))
            kind = "death" if rng.random() < 0.3 and end < AS_OF else "last_contact"
            rows["outcomes"].append((pid, kind, min(end, AS_OF), None, 1))
    with reg.transaction() as con:
        con.execute("""insert into import_batches (batch_id, imported_at, operator, command, source) values
            (1, '2020-06-01 09:00', 'test', 'import', 'a'), (2, '2022-06-01 09:00', 'test', 'import', 'b'),
            (3, '2024-06-01 09:00', 'test', 'import', 'c')""")
        for table, values in rows.items():
            marks = ", ".join(["?"] * len(values[0]))
            con.executemany(f"insert into {table} values ({marks})", values)
        refresh_analysis_tables(con)


def copy_registry(template: Path, target: Path):
    """Open a copy of an empty, migrated registry file (much faster than migrating a new one)."""
    from netpet.registry import Registry

    shutil.copyfile(template, target)
    return Registry.open(target)


def make_template(folder: Path) -> Path:
    """Create an empty, migrated registry file to copy from."""
    from netpet.registry import Registry

    path = folder / "template.duckdb"
    Registry.create(path).close()
    return path
