"""An import whose keys are all new skips the joins against the registry and lands what the joins would."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import netpet.registry.ingest as ingest
from netpet.registry import Registry
from netpet.registry.ingest import import_folder
from tests.ingest_fixtures import DATA, WRITTEN_TABLES, load_valid

#: The ID columns of tests/data/valid that make a row's key (and its references) new when renamed.
ID_COLUMNS = ("patient_id", "scan_id", "sstr_scan_id", "fdg_scan_id", "timepoint_id", "treatment_id")
#: Columns set from the clock, which differ between any two imports.
CLOCK_COLUMNS = ("changed_at", "imported_at", "refreshed_at")
#: What an import lands: the tables it writes (rows and change history) and the analysis rows it re-derives.
LANDED_TABLES = (*WRITTEN_TABLES, "analysis_patients", "analysis_timepoints")


def new_keys_folder(folder: Path) -> Path:
    """Write tests/data/valid with every patient, scan, timepoint and treatment ID prefixed `N` (all keys new)."""
    folder.mkdir()
    for file in (DATA / "valid").glob("*.csv"):
        frame = pl.read_csv(file, infer_schema=False)
        renamed = [pl.concat_str(pl.lit("N"), pl.col(c)).alias(c) for c in frame.columns if c in ID_COLUMNS]
        frame.with_columns(renamed).write_csv(folder / file.name)
    return folder


def landed(reg: Registry) -> dict[str, pl.DataFrame]:
    """Every row an import lands, clock columns left out, in a stable order."""
    frames = {t: reg.query(f"select * from {t}") for t in LANDED_TABLES}
    return {t: f.drop(CLOCK_COLUMNS, strict=False).sort(pl.all()) for t, f in frames.items()}


def import_recording(
    reg: Registry, folder: Path, monkeypatch: pytest.MonkeyPatch, *, old_path: bool
) -> list[str]:
    """Import `folder` and return the statements the writer ran; `old_path` forces the joins (as before the skip)."""
    statements: list[str] = []
    run = ingest.run

    def recording(con, sql, params=None):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return run(con, sql, params)

    listing = ingest._list_changed_lesion_timepoints
    with monkeypatch.context() as patch:
        patch.setattr(ingest, "run", recording)
        if old_path:
            patch.setattr(ingest, "fetch_flag", lambda *_: True)
            patch.setattr(ingest, "_list_changed_lesion_timepoints", lambda con, all_new: listing(con, all_new=False))
        import_folder(reg, folder, operator="tester")
    return statements


def listing(statements: list[str]) -> str:
    """How the writer listed the timepoints to re-score: "none" (it scores all), "join" or "no join"."""
    listings = [s for s in statements if "temp table _score_timepoints" in s]
    assert len(listings) <= 1
    if not listings:
        return "none"
    return "join" if "join lesion_reads" in listings[0] else "no join"


def known_and_new_reads_folder(folder: Path) -> Path:
    """Write tests/data/valid's lesion reads plus one new read of timepoint T1: some keys are in the registry."""
    folder.mkdir()
    known = (DATA / "valid" / "lesion_reads.csv").read_text()
    (folder / "lesion_reads.csv").write_text(known + "T1,liver-s8,liver,4.0,,true,false,\n")
    return folder


#: Import scenarios: (registry loaded with tests/data/valid first, folder writer, how the timepoints to re-score
#: are listed, lesion reads in the registry after the import).
SCENARIOS = {
    "first import": (False, new_keys_folder, "none", 2),
    "new keys into a populated registry": (True, new_keys_folder, "no join", 4),
    "known and new reads": (True, known_and_new_reads_folder, "join", 3),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_an_import_of_new_keys_skips_the_joins_and_lands_as_before(
    scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populated, write_folder, listed, reads = SCENARIOS[scenario]
    folder = write_folder(tmp_path / "import")
    results = {}
    for path in ("skip", "joins"):
        reg = Registry.create(tmp_path / f"{path}.duckdb")
        if populated:
            load_valid(reg)
        statements = import_recording(reg, folder, monkeypatch, old_path=path == "joins")
        assert listing(statements) == ("join" if path == "joins" else listed)
        counted_by_join = any("count(*) filter (where r." in s for s in statements)
        assert counted_by_join is (path == "joins" or populated)
        results[path] = landed(reg)
        reg.close()
    assert results["skip"]["lesion_reads"].height == reads
    for table, frame in results["joins"].items():
        assert results["skip"][table].equals(frame), table
