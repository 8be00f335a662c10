"""Write registry tables back out in the interchange format: the inverse of `netpet.registry.ingest`.

One file per table (`<table>.csv` or `<table>.parquet`) with the format's column names, rows in key order,
values canonical (enumerations as stored, scores as integers, dates ISO, booleans `true`/`false`, empty =
missing). Importing the folder into an empty registry gives back the same tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from netpet.registry.column_sql import Sql, export_column, joined
from netpet.registry.columns import TABLES
from netpet.registry.import_files import FORMATS
from netpet.registry.ingest_sql import spec_sql


def interchange_table(reg: Any, table_name: str) -> pl.DataFrame:
    """Return one registry table as the interchange format's columns, in key order."""
    table = next(t for t in TABLES if t.name == table_name)
    sql = spec_sql(
        "export_table",
        table=table.name,
        columns=joined(export_column, table, table.column_names),
        keys=Sql(", ".join(table.key)),
    )
    return reg.query(sql)


def write_interchange(reg: Any, out_dir: str | Path, *, fmt: str = "csv") -> list[Path]:
    """Write every import table of the registry to `out_dir` in the interchange format.

    Parameters
    ----------
    reg : Registry
        The registry to read.
    out_dir : str or Path
        Folder to write into (created if missing); existing files of the same names are replaced.
    fmt : {"csv", "parquet"}
        File format.

    Returns
    -------
    list of Path
        The files written, parents first.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        frame = interchange_table(reg, table.name)
        path = out / f"{table.name}.{fmt}"
        if fmt == "csv":
            frame.write_csv(path, date_format="%Y-%m-%d")
        else:
            frame.write_parquet(path)
        written.append(path)
    return written
