"""Support for the reliability tests: demo import folders with distinct IDs, and registry digests.

A digest holds, per base table, its row count and a SHA-256 of its rows sorted, leaving out what differs
between two runs of the same import: timestamp columns (`*_at`) and `change_log.change_id`, which parallel
inserts draw from the sequence in any order (the set of IDs is the same; which row gets which is not).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from netpet.registry import Registry
from netpet.registry.columns import TABLES
from netpet.registry.demo import write_demo_files

Digest = dict[str, tuple[int, str]]
#: Columns numbered from a sequence by parallel inserts: the numbering of rows within a batch varies.
_RUN_DEPENDENT = frozenset({"change_id"})

#: Columns holding identifiers that a demo folder's prefix rewrites.
_ID_COLUMNS = ("patient_id", "scan_id", "sstr_scan_id", "fdg_scan_id", "timepoint_id", "treatment_id")


def demo_folder(folder: Path, *, patients: int, seed: int, prefix: str) -> Path:
    """Write a demo import folder (CSV) whose IDs start with `prefix` instead of the demo's `D`."""
    write_demo_files(folder, patients=patients, seed=seed, fmt="csv")
    for table in TABLES:
        path = folder / f"{table.name}.csv"
        frame = pl.read_csv(path, infer_schema=False)
        ids = [c for c in frame.columns if c in _ID_COLUMNS]
        frame.with_columns(pl.col(ids).str.replace("^D", prefix)).write_csv(path)
    return folder


def table_digest(frame: pl.DataFrame) -> tuple[int, str]:
    """Return (rows, SHA-256 of the rows sorted), ignoring timestamps and sequence-numbered IDs."""
    stable = frame.select(
        c for c, dtype in frame.schema.items() if not isinstance(dtype, pl.Datetime) and c not in _RUN_DEPENDENT
    )
    text = stable.sort(stable.columns, nulls_last=True).write_csv()
    return frame.height, hashlib.sha256(text.encode()).hexdigest()


def registry_digest(path: Path, *, key: str | None = None) -> Digest:
    """Open the registry at `path` for writing (as the next command would) and digest every base table."""
    with Registry.open(path, key=key) as reg:
        # Table names come from the registry's own catalog, not from input.
        return {t: table_digest(reg.query(f"select * from {t}")) for t in reg.table_names()}
