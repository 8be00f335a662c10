"""Keep the stored analysis rows (`analysis_timepoints`, `analysis_patients`) equal to their live derivation.

Deriving the per-timepoint and per-patient analysis rows from the clinical tables takes seconds at a million
patients, so analyses read them stored (views `timepoint_scores`, `patient_followup`, `patient_survival`).
Every write refreshes the rows of the patients it touched, or all rows, inside its own transaction, so the
stored and the live rows never differ in a committed registry. The checksum of the deriving SQL is recorded:
a release that changes it rebuilds the rows on the next writable open.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb

from netpet.registry.errors import MigrationError
from netpet.registry.sqlfiles import read_sql, sql_files, sql_root

if TYPE_CHECKING:
    from netpet.registry.session import RegistrySession

#: The view files that derive the stored rows (with the label macros they call), relative to `sql/`.
DERIVATION = ("views/05_live_timepoint_scores.sql", "views/14_live_patient_analysis.sql")


def derivation_sha256() -> str:
    """Return the SHA-256 of the SQL that derives the stored rows: the label macros and the two live views."""
    digest = hashlib.sha256()
    for path in [*sql_files("macros"), *(sql_root() / name for name in DERIVATION)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_analysis_tables(con: duckdb.DuckDBPyConnection, patient_ids: Iterable[str] | None = None) -> None:
    """Re-derive the stored rows of `patient_ids` (every patient when None), inside the caller's transaction.

    Timepoint rows first: the patient rows are derived from them. A patient no longer in the registry just
    loses their rows. Each patient's digest (`analysis_digests`) is recorded last: the audit compares it with
    the rows as they are to tell, in one pass, that none changed since.
    """
    ids = None if patient_ids is None else list(dict.fromkeys(patient_ids))
    if ids == []:
        return
    params = {"ids": ids}
    for name in ("delete_timepoints", "insert_timepoints", "delete_patients", "insert_patients",
                 "delete_digests", "insert_digests"):
        con.execute(read_sql("analysis", name), params)
    if ids is None:
        con.execute(read_sql("analysis", "delete_state"))
        con.execute(read_sql("analysis", "insert_state"), {"sha256": derivation_sha256()})


def is_current(reg: RegistrySession) -> bool:
    """Tell whether the stored rows were derived by this release's SQL."""
    rows = reg.query_file("analysis", "state")
    return rows.height == 1 and rows["derivation_sha256"][0] == derivation_sha256()


def ensure_current(reg: RegistrySession) -> None:
    """Rebuild the stored rows when this release derives them differently (or they were never built).

    A read-only registry cannot be rebuilt: that is an error naming the fix, as for a pending migration.
    """
    if is_current(reg):
        return
    if reg.read_only:
        raise MigrationError(
            f"registry {reg.name} has analysis rows derived by another release: "
            "open it for writing once (e.g. `netpet migrate`) to rebuild them"
        )
    with reg.transaction() as con:
        refresh_analysis_tables(con)
