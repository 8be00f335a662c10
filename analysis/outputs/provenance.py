"""Provenance: what ties a written folder to its data (registry checksum, import batches, cohort, options,
software versions, each file's SHA-256), as the report's and the validation's `manifest.json` record it."""

from __future__ import annotations

import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.registry.credentials import masked_url

if TYPE_CHECKING:

    from netpet.registry import Registry


#: Packages whose versions the manifest records (with Python's).
SOFTWARE = ("netpet", "duckdb", "polars", "numpy", "scipy", "matplotlib")


MANIFEST = "manifest.json"


def manifest_record(reg: Registry, *, cohort: str | None, options: Mapping[str, Any],
                    versions: Mapping[str, str] | None, numbers: Mapping[str, Any],
                    files: Sequence[Path]) -> dict[str, Any]:
    """Return the manifest tying written `files` to the registry's state: time, registry checksum, import
    batches, cohort, options, software versions, key numbers and each file's SHA-256."""
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "registry": registry_provenance(reg),
        "import_batches": import_batches(reg),
        "cohort": cohort_record(reg, cohort),
        "options": dict(options),
        "versions": software_versions(versions),
        "numbers": dict(numbers),
        "files": {path.name: file_sha256(path) for path in sorted(files)},
    }


def registry_provenance(reg: Registry) -> dict[str, Any]:
    """Return what identifies the registry's data: the file's SHA-256 and size, or for PostgreSQL the
    URL without password; with both, the fingerprint (last import batch id and clinical row counts)."""
    from netpet.registry.backup import file_sha256
    from netpet.registry.cohorts import registry_state

    fingerprint = registry_state(reg)
    if reg.is_postgres:
        return {"backend": "postgresql", "url": masked_url(reg.path), "fingerprint": fingerprint}
    path = Path(reg.path)
    # Changes still in the write-ahead log are not in the file's checksum (a writer checkpoints on close).
    return {"backend": "duckdb", "path": str(path.resolve()), "sha256": file_sha256(path),
            "bytes": path.stat().st_size, "encrypted": reg.encrypted,
            "wal_pending": Path(f"{path}.wal").exists(), "fingerprint": fingerprint}


def import_batches(reg: Registry) -> list[dict[str, Any]]:
    """Return the registry's import batches, each with its files' names, tables, checksums and row counts."""
    rows = reg.query_file("queries", "import_batches")
    batches = []
    for part in rows.partition_by("batch_id", maintain_order=True):
        first = part.row(0, named=True)
        files = part.filter(pl.col("file_name").is_not_null()).select("file_name", "table_name", "sha256",
                                                                       "row_count")
        batches.append({key: first[key] for key in ("batch_id", "imported_at", "command", "source", "is_update")}
                       | {"files": files.to_dicts()})
    return batches


def cohort_record(reg: Registry, cohort: str | None) -> dict[str, Any] | None:
    from netpet.registry.cohorts import show_cohort

    if cohort is None:
        return None
    row = show_cohort(reg, cohort).row(0, named=True)
    keys = ("name", "entry_event", "end_of_followup_date", "member_count", "built_at", "definition_sha256",
            "definition", "is_current")
    return {key: row[key] for key in keys}


def software_versions(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the versions of Python and of `SOFTWARE` as installed, with `overrides` on top."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found | dict(overrides or {})


def file_sha256(path: Path) -> str:
    from netpet.registry.backup import file_sha256

    return file_sha256(path)
