"""Consistent backups of a registry file, with a checksum manifest that `restore` verifies.

A backup holds the registry's write lock while it checkpoints and copies the file, so no writer can change
it mid-copy. An encrypted registry stays encrypted in its backup (the bytes are copied as they are).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from netpet.registry.db import Registry, display_name, is_postgres_url
from netpet.registry.errors import RegistryError
from netpet.registry.whole_folder import whole_folder

MANIFEST = "manifest.json"


def _refuse_postgres(path: str | Path, action: str) -> None:
    """Backups copy a registry file; a PostgreSQL registry is backed up with PostgreSQL's own tools."""
    if is_postgres_url(path):
        raise RegistryError(
            f"{action} works on registry files; {display_name(path)} is a PostgreSQL registry: "
            "use pg_dump and pg_restore"
        )


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_registry(path: str | Path, dest: str | Path, *, key: str | None = None) -> dict[str, Any]:
    """Copy the registry at `path` into the new folder `dest` with a manifest; return the manifest.

    The folder appears whole or not at all (`netpet.registry.whole_folder`): a failed copy leaves no backup folder.

    The manifest records the file's SHA-256 and size, the applied migrations, the row count of every table
    and the time, so that `restore_registry` can verify the copy before it replaces anything.
    """
    from netpet.registry.migrations import applied_migrations

    _refuse_postgres(path, "backup")
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise RegistryError(f"backup folder {dest} is not empty; choose a new folder")
    with whole_folder(dest, last=MANIFEST) as staging:
        target = staging / Path(path).name
        with Registry.open(path, key=key) as reg:
            reg.con.execute("checkpoint")
            counts = reg.row_counts()
            migrations = applied_migrations(reg)["name"].to_list()
            # The connection (and so the file lock) stays open while the bytes are copied.
            shutil.copyfile(path, target)
            if key is not None:
                target.chmod(0o600)  # owner-only, as the encrypted registry itself
        manifest = {
            "file": target.name,
            "sha256": file_sha256(target),
            "bytes": target.stat().st_size,
            "encrypted": key is not None,
            "migrations": migrations,
            "row_counts": counts,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def verify_backup(src: str | Path) -> dict[str, Any]:
    """Check a backup folder against its manifest; return the manifest or raise naming what differs."""
    src = Path(src)
    manifest_path = src / MANIFEST
    if not manifest_path.is_file():
        raise RegistryError(f"{src} is not a registry backup: no {MANIFEST}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    copy = src / manifest["file"]
    if not copy.is_file():
        raise RegistryError(f"backup {src} is incomplete: {manifest['file']} is missing")
    if file_sha256(copy) != manifest["sha256"]:
        raise RegistryError(f"backup {src} is damaged: {manifest['file']} does not match its SHA-256 in {MANIFEST}")
    return manifest


def restore_registry(
    src: str | Path, path: str | Path, *, key: str | None = None, overwrite: bool = False
) -> pl.DataFrame:
    """Verify the backup in `src` and restore it to `path`; return the restored row counts per table.

    The copy is written beside `path` and renamed into place only after it has been verified and opened,
    so a failed restore leaves any existing registry untouched.
    """
    _refuse_postgres(path, "restore")
    manifest = verify_backup(src)
    path = Path(path)
    if path.exists() and not overwrite:
        raise RegistryError(f"{path} exists; restore to a new path, or replace it (overwrite=True)", fix="overwrite")
    staging = path.with_name(path.name + ".restoring")
    shutil.copyfile(Path(src) / manifest["file"], staging)
    try:
        with Registry(staging, read_only=True, key=key, migrate=False) as reg:
            counts = reg.row_counts()
        if counts != manifest["row_counts"]:
            raise RegistryError(f"backup {src} does not hold the row counts its manifest lists")
        wal = Path(str(path) + ".wal")
        if wal.exists():
            wal.unlink()
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
    return pl.DataFrame({"table": list(counts), "rows": list(counts.values())})
