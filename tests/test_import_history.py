"""The change history of imported records: one change_log row per table and batch loses nothing.

An import logs its inserts once per table (the records are the rows carrying its batch_id); the history still
shows, for every record, when, by whom and in which batch it was inserted and with which values, through
later updates, deletions, restores and re-imports.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from netpet.registry import Registry
from netpet.registry.history import delete_patient, patient_history, restore_patient
from netpet.registry.ingest import import_folder
from tests.ingest_fixtures import DATA, loaded

__all__ = ["loaded"]


def _inserts(reg: Registry, patient_id: str) -> pl.DataFrame:
    history = patient_history(reg, patient_id)
    return history.filter(pl.col("action") == "insert").select("batch_id", "operator", "table_name", "row_key", "after")


def test_an_updated_record_keeps_its_inserted_values_and_batch(loaded: Registry) -> None:
    import_folder(loaded, DATA / "changed_existing_row", update=True, operator="bob")  # P1: who_grade G2 -> G3
    inserted = _inserts(loaded, "P1").filter(pl.col("table_name") == "patients").row(0, named=True)
    assert (inserted["batch_id"], inserted["operator"]) == (1, "tester")
    assert json.loads(inserted["after"])["who_grade"] == "G2"
    update = patient_history(loaded, "P1").filter(pl.col("action") == "update").row(0, named=True)
    assert (update["batch_id"], json.loads(update["before"])["batch_id"]) == (2, 1)


def test_a_deleted_and_restored_patient_shows_each_insert_once(loaded: Registry) -> None:
    before = _inserts(loaded, "P2")
    delete_patient(loaded, "P2", operator="dm")
    assert _inserts(loaded, "P2").equals(before)  # the values come from the deletion's log now
    restore_patient(loaded, "P2", operator="dm")
    assert _inserts(loaded, "P2").equals(before)
    # P2: patient, 2 scans, 1 timepoint, 1 lesion read, 1 death (tests/data/valid).
    assert before.height == 6


def test_a_reimported_patient_has_a_second_insert_and_restores_its_latest_records(
    loaded: Registry, tmp_path: Path
) -> None:
    delete_patient(loaded, "P2", operator="dm")
    (tmp_path / "patients.csv").write_text(
        "patient_id,diagnosis_date,primary_site\nP2,2016-03-01,lung\n", encoding="utf-8"
    )
    import_folder(loaded, tmp_path, operator="site")
    delete_patient(loaded, "P2", operator="dm")
    patients = _inserts(loaded, "P2").filter(pl.col("table_name") == "patients")
    assert patients.select("batch_id", "operator").rows() == [(1, "tester"), (2, "site")]
    assert [json.loads(a)["primary_site"] for a in patients["after"]] == ["small_bowel", "lung"]
    restored = restore_patient(loaded, "P2", operator="dm")
    assert dict(restored.iter_rows()) == {"patients": 1}  # the second deletion only: the re-imported row
    assert loaded.query("select primary_site from patients where patient_id = 'P2'").item() == "lung"
