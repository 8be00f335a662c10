"""Where a registry's encryption key comes from: `$NETPET_KEY`, or a key file only its owner can read.

DuckDB encrypts the file (AES-GCM) when it is attached with an `encryption_key`; writing needs the httpfs
extension's crypto module, which `netpet.registry.extensions` loads from its pip-installed path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from netpet.registry.errors import RegistryError


def read_key_file(path: str | Path) -> str:
    """Return the key stored in `path`, refusing a file that anyone but its owner can read or write."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise RegistryError(f"key file {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RegistryError(f"key file {path} is readable by others; run `chmod 600 {path}`")
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise RegistryError(f"key file {path} is empty")
    return key


def key_from_environment() -> str | None:
    """Return the key from `$NETPET_KEY`, else from the file named by `$NETPET_KEY_FILE`, else None."""
    if os.environ.get("NETPET_KEY"):
        return os.environ["NETPET_KEY"]
    if os.environ.get("NETPET_KEY_FILE"):
        return read_key_file(os.environ["NETPET_KEY_FILE"])
    return None
