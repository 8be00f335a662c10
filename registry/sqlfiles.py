"""Find and read the `.sql` files the registry runs: migrations, macros, views, checks, cohorts, queries.

SQL lives only in `sql/`; Python reads it from here and binds parameters, never formats values into it.
The files ship inside the wheel as `registry/sql`; in a source checkout they sit at the repository root.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path


@cache
def sql_root() -> Path:
    """Return the folder holding `migrations/`, `views/`, `checks/` and `cohorts/`."""
    shipped = Path(str(importlib.resources.files("netpet.registry"))) / "sql"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "sql"


def sql_files(kind: str) -> list[Path]:
    """Return the `.sql` files of one kind (`migrations`, `views`, `checks`, `cohorts`) in name order."""
    folder = sql_root() / kind
    return sorted(folder.glob("*.sql")) if folder.is_dir() else []


def read_sql(kind: str, name: str) -> str:
    """Return the text of `sql/<kind>/<name>.sql`."""
    path = sql_root() / kind / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL file {kind}/{name}.sql in {sql_root()}")
    return path.read_text(encoding="utf-8")
