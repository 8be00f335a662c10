"""Test input for longitudinal analyses: hand-built patients with dated timepoints, and the demo registry.

Hand-built rows go in through DuckDB from polars frames, table names only from `netpet.registry.columns`, with
recorded scores; the demo goes through the importer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from netpet.registry import Registry
from netpet.registry.columns import TABLES_BY_NAME

ORIGIN = date(2020, 1, 1)


def day(n: int) -> date:
    """Return the date `n` days after the test origin (2020-01-01)."""
    return ORIGIN + timedelta(days=n)


def insert_rows(reg: Registry, table: str, rows: pl.DataFrame) -> None:
    """Insert `rows` (columns named as the table's) into `table`, a registry table of the import spec."""
    assert table in TABLES_BY_NAME, table
    reg.con.register("staged_rows", rows.to_arrow())
    try:
        reg.con.execute(f"insert into {table} by name select * from staged_rows")
    finally:
        reg.con.unregister("staged_rows")


def add_patient(
    reg: Registry,
    patient_id: str,
    *,
    timepoints: Sequence[tuple[int, int | None]],
    death: int | None = None,
    last_contact: int | None = None,
    progressions: Sequence[int] = (),
    treatments: Sequence[tuple[str, int, int | None]] = (),
    age_years: int = 60,
) -> None:
    """Add a patient whose timepoints are (day, score) pairs, days counted from 2020-01-01.

    Both scans of a timepoint are on its day. Treatments are (treatment, start day, end day or None).
    """
    from netpet.registry.analysis_tables import refresh_analysis_tables

    insert_rows(reg, "patients", pl.DataFrame({
        "patient_id": [patient_id], "diagnosis_date": [day(-100)], "primary_site": ["pancreas"],
        "birth_date": [day(-100 - 365 * age_years)], "who_grade": ["G2"], "ki67_percent": [5.0],
    }))
    scans, tps = [], []
    for i, (d, score) in enumerate(timepoints, start=1):
        scans += [{"scan_id": f"{patient_id}-S{i}", "patient_id": patient_id, "tracer": "ga68_dotatate",
                   "scan_date": day(d)},
                  {"scan_id": f"{patient_id}-F{i}", "patient_id": patient_id, "tracer": "fdg", "scan_date": day(d)}]
        tps.append({"timepoint_id": f"{patient_id}-T{i}", "patient_id": patient_id,
                    "sstr_scan_id": f"{patient_id}-S{i}", "fdg_scan_id": f"{patient_id}-F{i}",
                    "recorded_score": score})
    insert_rows(reg, "pet_scans", pl.DataFrame(scans))
    insert_rows(reg, "timepoints", pl.DataFrame(tps, schema_overrides={"recorded_score": pl.Int16}))
    outcomes = [("death", death), ("last_contact", last_contact)] + [("progression", p) for p in progressions]
    rows = [{"patient_id": patient_id, "outcome": o, "outcome_date": day(d)} for o, d in outcomes if d is not None]
    if rows:
        insert_rows(reg, "outcomes", pl.DataFrame(rows))
    if treatments:
        insert_rows(reg, "treatments", pl.DataFrame([
            {"treatment_id": f"{patient_id}-R{i}", "patient_id": patient_id, "treatment": name,
             "start_date": day(start), "end_date": None if end is None else day(end)}
            for i, (name, start, end) in enumerate(treatments, start=1)
        ], schema_overrides={"end_date": pl.Date}))
    refresh_analysis_tables(reg.con, [patient_id])  # as every write path does, for the patients it wrote


def load_demo(reg: Registry, folder: Path, *, patients: int = 120, seed: int = 42) -> None:
    """Write the demo registry's files for `patients` patients into `folder` and import them."""
    from netpet.registry.demo import write_demo_files
    from netpet.registry.ingest import import_folder

    write_demo_files(folder, patients=patients, seed=seed)
    import_folder(reg, folder, operator="test")


#: The cohort of tests/reference/timevarying/score_intervals_small.csv: (timepoints, death day, last contact).
#: C has one timepoint on its death day (a zero-length interval); L is rescored on its death day.
SMALL_COHORT: dict[str, tuple[list[tuple[int, int | None]], int | None, int | None]] = {
    "A": ([(0, 1), (100, 1), (200, 5)], 300, None),
    "B": ([(0, 1), (150, 2)], None, 400),
    "C": ([(0, 5)], 0, None),
    "D": ([(0, 2), (90, 5)], 180, None),
    "E": ([(0, 1)], 500, None),
    "F": ([(0, 3), (120, 3), (240, 5)], 260, None),
    "G": ([(0, 5)], None, 600),
    "H": ([(0, 1), (200, 4)], 450, None),
    "I": ([(0, 4)], None, 350),
    "J": ([(0, 2), (100, 1)], 420, None),
    "K": ([(0, 5), (50, 4)], 200, None),
    "L": ([(0, 1), (300, 5), (310, 5)], 310, None),
    "M": ([(0, 3)], 400, None),
}


def add_small_cohort(reg: Registry) -> None:
    """Add the 13 patients of `SMALL_COHORT`."""
    for patient_id, (timepoints, death, last_contact) in SMALL_COHORT.items():
        add_patient(reg, patient_id, timepoints=timepoints, death=death, last_contact=last_contact)
