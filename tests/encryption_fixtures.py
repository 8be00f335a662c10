"""Fill an encrypted registry with one patient, with plain SQL (independent of the importer)."""

from __future__ import annotations

from pathlib import Path

from netpet.registry import Registry
from tests.conftest import refresh_written_rows


def fill_encrypted(path: Path, key: str) -> None:
    """Insert one patient into the encrypted registry at `path` and refresh its analysis rows."""
    with Registry.open(path, key=key) as reg:
        with reg.transaction() as con:
            con.execute(
                "insert into patients (patient_id, site, diagnosis_date, primary_site) "
                "values ('E1', 'A', date '2020-01-01', 'pancreas')"
            )
        refresh_written_rows(reg)
