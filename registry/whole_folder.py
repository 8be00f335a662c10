"""Output folders written whole or not at all: built beside the target, then moved into place.

`netpet report`, `audit`, `export`, `federate pool` and `backup` each write a folder of files that belong
together (a manifest lists the others). A failure half-way (an error in an analysis, a full disk, a killed
process) must not leave a folder that looks like an output but lacks files. Each is built in a hidden
staging folder in the same parent (`.NAME.xxxxxxxx.partial`, so a rename never crosses file systems) and
moved into place only once every file is written; on an error the staging folder is removed.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netpet.registry.errors import RegistryError


@contextmanager
def whole_folder(target: str | Path, *, last: str | None = None) -> Iterator[Path]:
    """Yield a staging folder to write into; when the block succeeds, move its files into `target`.

    A new or empty `target` is replaced by the staging folder in one rename (atomic). Into a folder that
    already holds files (a previous report, the user's own notes) each new file replaces its namesake by
    a rename (atomic per file), `last` (the manifest) after all others, and other files are left alone.
    When the block raises, `target` is untouched and the staging folder removed. Files only, no subfolders.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise RegistryError(f"{target} exists and is not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{secrets.token_hex(4)}.partial"
    staging.mkdir()  # made as any folder is (the umask applies), so the output gets the usual permissions
    try:
        yield staging
        _move_into_place(staging, target, last)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, target: Path, last: str | None) -> None:
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    if not target.exists():
        staging.rename(target)
        return
    for path in sorted(staging.iterdir(), key=lambda p: (p.name == last, p.name)):
        path.replace(target / path.name)
