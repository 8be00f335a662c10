"""Load the DuckDB extensions the registry needs from their pip-installed paths (no network downloads).

httpfs provides the crypto module DuckDB requires to *write* encrypted files; postgres_scanner is the
PostgreSQL backend. Both ship on PyPI as `duckdb-extension-*` packages built for the pinned DuckDB 1.5.5.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from netpet.registry.errors import RegistryError

_PACKAGES = {"httpfs": "duckdb_extension_httpfs", "postgres_scanner": "duckdb_extension_postgres_scanner"}


def extension_path(name: str) -> Path:
    """Return the installed `.duckdb_extension` file for `name` matching the running DuckDB version."""
    try:
        package = importlib.import_module(_PACKAGES[name])
    except ImportError as exc:  # pragma: no cover - both are hard dependencies
        raise RegistryError(f"DuckDB extension {name} is not installed: pip install {_PACKAGES[name]}") from exc
    folder = Path(str(package.__file__)).parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob(f"{name}.duckdb_extension"))
    if not found:
        raise RegistryError(
            f"DuckDB extension {name} for DuckDB {duckdb.__version__} not found under {folder}; "
            f"install {_PACKAGES[name].replace('_', '-')}=={duckdb.__version__}"
        )
    return found[0]


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load extension `name` into `con` from its installed file."""
    con.execute(f"load '{extension_path(name).as_posix()}'")
