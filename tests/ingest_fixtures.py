"""Fixtures shared by the import tests: registries loaded with tests/data/valid, table snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from netpet.registry import Registry
from netpet.registry.ingest import import_folder

DATA = Path(__file__).parent / "data"
#: Every table an import may write to.
WRITTEN_TABLES = (
    "patients",
    "pet_scans",
    "timepoints",
    "lesion_reads",
    "treatments",
    "outcomes",
    "derived_scores",
    "change_log",
    "import_batches",
    "import_files",
)


def snapshot(reg: Registry) -> dict[str, pl.DataFrame]:
    """Return every table an import writes, in a stable order, to compare before and after."""
    return {t: reg.query(f"select * from {t} order by all") for t in WRITTEN_TABLES}


def assert_same_tables(before: dict[str, pl.DataFrame], after: dict[str, pl.DataFrame]) -> None:
    """Assert two snapshots hold identical tables."""
    for table, frame in before.items():
        assert after[table].equals(frame), table


def load_valid(reg: Registry) -> None:
    """Import tests/data/valid (two patients, one with a death) as operator `tester`."""
    import_folder(reg, DATA / "valid", operator="tester")


@pytest.fixture(scope="module")
def shared_loaded(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """One registry per test module and backend loaded with tests/data/valid, for tests that leave it unchanged."""
    reg = Registry.open(registry_templates.copy(backend, tmp_path_factory.mktemp("loaded"), load_valid))
    yield reg
    reg.close()


@pytest.fixture
def loaded(registry: Registry) -> Registry:
    """The empty test registry after importing tests/data/valid (two patients, one with a death)."""
    load_valid(registry)
    return registry
