"""Choose the reader for what a site hands over: a folder of tables, an Excel workbook or a REDCap export.

Each reader lives in its own module (`netpet.registry.ingest` for folders, `netpet.registry.workbook`, `netpet.registry.redcap`); this one
only decides which applies and says how to choose when it cannot tell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from netpet.registry.errors import IngestError
from netpet.registry.ingest import import_folder
from netpet.registry.redcap import import_redcap
from netpet.registry.workbook import WORKBOOK_SUFFIXES, import_workbook

#: The kinds of source `netpet import --from` accepts (`auto` decides from the path).
SOURCES = ("auto", "folder", "xlsx", "redcap")


def source_kind(path: str | Path, source: str = "auto") -> str:
    """Return which reader reads `path`: `folder`, `xlsx` or `redcap` (`source` other than auto is taken as given)."""
    path = Path(path)
    if source != "auto":
        return source
    if path.is_dir():
        return "folder"
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return "xlsx"
    if path.suffix.lower() == ".xls":
        raise IngestError(f"{path.name} is an Excel 97-2003 workbook; save it as an Excel Workbook (.xlsx)")
    raise IngestError(
        f"{path.name} is one file: put table files in a folder and import the folder, import an .xlsx workbook, "
        "or, for a REDCap export, add --from redcap"
    )


def import_source(reg: Any, path: str | Path, *, source: str = "auto", **options: Any) -> pl.DataFrame:
    """Import a folder, workbook or REDCap export into the registry, all or nothing (options as `import_folder`)."""
    kind = source_kind(path, source)
    if kind == "folder":
        return import_folder(reg, path, **options)
    if kind == "xlsx":
        return import_workbook(reg, path, **options)
    return import_redcap(reg, path, **options)
