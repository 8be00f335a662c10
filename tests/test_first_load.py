"""A first load (files written straight into empty tables) writes what the staged import writes, and when a
file has a problem it writes nothing and reports exactly what the staged import reports."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from netpet.registry import Registry, ingest
from netpet.registry.demo import write_demo_files
from netpet.registry.errors import ValidationError
from netpet.registry.first_load import FirstLoadRefused, plan_first_load
from netpet.registry.import_files import find_import_files
from netpet.registry.ingest import import_folder

VALID = Path(__file__).parent / "data" / "valid"


def stage_every_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every import take the staged path, as an import into tables holding rows does."""
    monkeypatch.setattr(ingest, "plan_first_load", lambda reg, files: None)


def record_first_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each first load's outcome: 'loaded', or 'refused' (the import then went the staged way)."""
    outcomes: list[str] = []
    real = ingest._load_first

    def recording(*args, **kwargs):
        try:
            summary = real(*args, **kwargs)
        except FirstLoadRefused:
            outcomes.append("refused")
            raise
        outcomes.append("loaded")
        return summary

    monkeypatch.setattr(ingest, "_load_first", recording)
    return outcomes


def every_table(reg: Registry) -> dict[str, pl.DataFrame]:
    """Every registry table's rows in a stable order, timestamps left out (they record when, not what)."""
    names = reg.query("select table_name from duckdb_tables() where database_name = 'registry' order by 1")
    tables = {}
    for name in names["table_name"]:
        frame = reg.query(f"select * from {name}")  # names from the registry's own catalog
        kept = [c for c, t in frame.schema.items() if not isinstance(t, pl.Datetime)]
        tables[name] = frame.select(kept).sort(kept, nulls_last=True)
    return tables


def temporary_views(reg: Registry) -> list[str]:
    views = reg.query("select view_name from duckdb_views() where temporary and not internal order by 1")
    return views["view_name"].to_list()


def test_every_empty_table_an_import_names_is_loaded_first(tmp_path: Path) -> None:
    with Registry.create(tmp_path / "r.duckdb") as reg:
        files, _ = find_import_files(VALID)
        plan = plan_first_load(reg, files)
        assert plan is not None
        assert plan.tables == {f.table.name for f in files}
        assert plan.batch_id == 1
        # Every table but lesion_reads has a primary key on its key (lesion reads load without an index).
        assert plan.keyed == plan.tables - {"lesion_reads"}
        import_folder(reg, VALID, operator="tester")
        assert plan_first_load(reg, files) is None  # every table holds rows now


def test_a_first_load_writes_what_the_staged_import_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "files"
    write_demo_files(folder, patients=60, fmt="csv", lesions_per_timepoint=3)
    outcomes = record_first_loads(monkeypatch)
    with Registry.create(tmp_path / "first.duckdb") as reg:
        first_summary = import_folder(reg, folder, operator="tester", pair=True)
        first = every_table(reg)
        assert temporary_views(reg) == []
    assert outcomes == ["loaded"]
    stage_every_import(monkeypatch)
    with Registry.create(tmp_path / "staged.duckdb") as reg:
        staged_summary = import_folder(reg, folder, operator="tester", pair=True)
        staged = every_table(reg)
    assert first_summary.equals(staged_summary)
    assert first.keys() == staged.keys()
    for name, frame in staged.items():
        assert first[name].equals(frame), name
    assert first["lesion_reads"].height > 0
    assert first["derived_scores"].height > 0


def test_tables_already_holding_rows_are_staged_beside_a_first_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patients_only = tmp_path / "patients"
    patients_only.mkdir()
    shutil.copy(VALID / "patients.csv", patients_only)
    rest = tmp_path / "rest"
    shutil.copytree(VALID, rest)
    (rest / "patients.csv").unlink()
    results = []
    for first in (True, False):
        if not first:
            stage_every_import(monkeypatch)
        with Registry.create(tmp_path / f"r{first}.duckdb") as reg:
            import_folder(reg, patients_only, operator="tester")
            files, _ = find_import_files(rest)
            plan = plan_first_load(reg, files)
            assert plan is None or "patients" not in plan.tables
            import_folder(reg, rest, operator="tester")
            results.append(every_table(reg))
    for name, frame in results[1].items():
        assert results[0][name].equals(frame), name


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


PROBLEMS: dict[str, Callable[[Path], None]] = {
    "a number that does not parse": lambda f: _replace(f / "lesion_reads.csv", "20.5", "20,5x"),
    "a required cell left empty": lambda f: _replace(f / "patients.csv", "2015-03-01,pancreas", ",pancreas"),
    "a repeated key": lambda f: _replace(f / "lesion_reads.csv", "T2,l1,", "T1,liver-s7,"),
    "a repeated primary key": lambda f: _replace(f / "patients.csv", "P2,B,", "P1,B,"),
    "an unknown parent": lambda f: _replace(f / "lesion_reads.csv", "T2,l1,", "T9,l1,"),
    "a read avid on both scans without its comparison": lambda f: _replace(
        f / "lesion_reads.csv", "TRUE,similar", "TRUE,"
    ),
    "a ragged CSV row": lambda f: _replace(f / "lesion_reads.csv", "20.5,6.1,", "20.5,"),
    # Optional cells the table's constraints let through as empty: only the first load's own test stops them.
    "an optional number that does not parse": lambda f: _replace(f / "patients.csv", "g2,5.5", "g2,5.5%"),
    "an optional number out of range": lambda f: _replace(f / "patients.csv", "g2,5.5", "g2,105"),
    "an optional date that does not parse": lambda f: _replace(f / "patients.csv", "1950-01-01", "1950-13-01"),
    "an optional level that is not one": lambda f: _replace(f / "patients.csv", "Female", "f"),
    "a formula in an optional text cell": lambda f: _replace(f / "patients.csv", "P1,A,", "P1,=1+1,"),
    "an over-long optional text cell": lambda f: _replace(f / "patients.csv", "P1,A,", "P1," + "A" * 1001 + ","),
}


@pytest.mark.parametrize("problem", PROBLEMS)
def test_a_refused_first_load_reports_what_the_staged_import_reports_and_writes_nothing(
    problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "files"
    shutil.copytree(VALID, folder)
    PROBLEMS[problem](folder)
    outcomes = record_first_loads(monkeypatch)
    with Registry.create(tmp_path / "first.duckdb") as reg:
        empty = every_table(reg)
        views = temporary_views(reg)
        with pytest.raises(ValidationError) as first:
            import_folder(reg, folder, operator="tester")
        assert outcomes == ["refused"]
        after = every_table(reg)
        for name, frame in empty.items():
            assert after[name].equals(frame), name
        assert temporary_views(reg) == views
        import_folder(reg, VALID, operator="tester")  # the refused load took no batch id
        assert reg.query("select batch_id from import_batches")["batch_id"].to_list() == [1]
    stage_every_import(monkeypatch)
    with Registry.create(tmp_path / "staged.duckdb") as reg, pytest.raises(ValidationError) as staged:
        import_folder(reg, folder, operator="tester")
    assert first.value.issues.height > 0
    assert first.value.issues.equals(staged.value.issues)
    assert str(first.value) == str(staged.value)


@pytest.mark.parametrize("before", [True, False])
@pytest.mark.parametrize("folder", ["valid", "refused"])
def test_a_first_load_leaves_the_insertion_order_setting_as_it_found_it(
    before: bool, folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first load runs with insertion order off (each insert fills whole row groups), then restores it."""
    files = tmp_path / "files"
    shutil.copytree(VALID, files)
    if folder == "refused":
        PROBLEMS["a number that does not parse"](files)  # stops the insert itself
    outcomes = record_first_loads(monkeypatch)
    with Registry.create(tmp_path / "r.duckdb") as reg:
        reg.con.execute("set preserve_insertion_order = $p", {"p": before})
        try:
            import_folder(reg, files, operator="tester")
        except ValidationError:
            assert folder == "refused"
        assert outcomes == (["loaded"] if folder == "valid" else ["refused"])
        setting = reg.query("select current_setting('preserve_insertion_order') as kept")
        assert setting["kept"].to_list() == [before]
