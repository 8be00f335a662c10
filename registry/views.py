"""Create every view in `sql/views/` (one view per file), after the macros in `sql/macros/` they call, and list
the views with their comments.

Views are code: rebuilt on every writable open, so a new release's views replace the old ones. A view's
name is its file name without the leading number (`10_timepoint_scores.sql` -> `timepoint_scores`).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.errors import MigrationError
from netpet.registry.sqlfiles import sql_files

if TYPE_CHECKING:
    from netpet.registry.db import Registry


def view_name(stem: str) -> str:
    """Return the view name for a view file stem: the stem without its `NN_` order prefix."""
    head, _, rest = stem.partition("_")
    return rest if head.isdigit() else stem


def create_views(reg: Registry) -> list[str]:
    """Create or replace every view, in file order, in one transaction; return their names.

    On PostgreSQL the views live in the session (DuckDB SQL), so a read-only registry gets them too.
    """
    names = []
    with nullcontext() if reg.read_only else reg.transaction():
        for path in sql_files("macros"):  # the views call these
            try:
                reg.con.execute(path.read_text(encoding="utf-8"))
            except Exception as exc:
                raise MigrationError(f"macro file macros/{path.name} failed: {exc}") from exc
        for path in sql_files("views"):
            try:
                reg.con.execute(path.read_text(encoding="utf-8"))
            except Exception as exc:
                raise MigrationError(f"view file views/{path.name} failed: {exc}") from exc
            names.append(view_name(path.stem))
    return names


def list_views(reg: Registry) -> pl.DataFrame:
    """Return the registry's views with their comments (view_name, comment)."""
    return reg.query_file("queries", "registry_views", {"is_postgres": reg.is_postgres})
