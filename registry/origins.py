"""Where a staged import row came from: turn issue locations back into the workbook's or export's own terms.

A workbook sheet or a REDCap export is read into a text frame per table before validation (`netpet.registry.workbook`,
`netpet.registry.redcap`); validation numbers that frame's rows as a CSV would (header 1, first row 2) and names the
registry's columns. An `Origin` records, per staged row, the row the user sees (Excel's row number, the export's
line) and, per column, the name the user typed (the REDCap field), so every issue points where the fix is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Origin:
    """How one staged table maps back to its source: display name, source rows and source field names."""

    label: str  # the staged table's unique name in issues before relocation (e.g. `export.csv[patients]`)
    shown_as: str  # the name the user sees (`workbook.xlsx[patients]`, `export.csv`)
    rows: Sequence[int]  # the source row of each staged row, in order
    header_row: int = 1
    fields: Mapping[str, str] = field(default_factory=dict)  # registry column -> source field name


def relocate_issues(issues: pl.DataFrame, origins: Sequence[Origin]) -> pl.DataFrame:
    """Rewrite the file, row and column of every issue that belongs to a staged table with an `Origin`."""
    if not origins or issues.height == 0:
        return issues
    frames = []
    by_label = {o.label: o for o in origins}
    for part in issues.with_row_index("_order").partition_by("file", maintain_order=True, include_key=True):
        origin = by_label.get(part["file"][0])
        frames.append(part if origin is None else _relocated(part, origin))
    return pl.concat(frames).sort("_order").drop("_order")


def _relocated(part: pl.DataFrame, origin: Origin) -> pl.DataFrame:
    source = [origin.header_row, *origin.rows]
    mapping = pl.DataFrame(
        {"row": range(1, len(source) + 1), "_source_row": source}, schema={"row": pl.Int64, "_source_row": pl.Int64}
    )
    return (
        part.join(mapping, on="row", how="left")
        .with_columns(
            pl.lit(origin.shown_as).alias("file"),
            pl.col("_source_row").alias("row"),
            pl.col("column").replace(dict(origin.fields)),
        )
        .drop("_source_row")
    )
