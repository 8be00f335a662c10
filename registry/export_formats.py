"""Analysis-ready exports: survival times in a chosen unit, events as 0/1, factors in clinical order, a
codebook, Stata (.dta) and SPSS (.sav) files with variable and value labels, and a `load.R` for the CSVs.

Stata and SPSS files are written by pyreadstat (a maintained wrapper of ReadStat, the C library R's haven
uses, so what it writes haven reads back as written); factors become 1-based codes in clinical order with
value labels, dates stay dates, and each variable is labelled with its meaning (cut to Stata's 80 characters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from netpet.registry.dictionary import LEVELS, MEANINGS, UNITS, markdown_table
from netpet.registry.units import DAYS_PER_UNIT

#: Survival times exported in the chosen unit; other day counts (gaps between scans) stay in days.
SURVIVAL_TIMES = re.compile(r"^(os|pfs|ttp|os_from_diagnosis)_days$")
#: Columns de-identification adds, with their meanings.
EXTRA_MEANINGS = {"birth_year": "Year of birth (de-identified exports carry the year only)."}
#: Stata's longest variable label.
LABEL_CHARS = 80


def analysis_ready(frame: pl.DataFrame, *, time_unit: str = "days", binary_events: bool = True) -> pl.DataFrame:
    """Return `frame` with survival times in `time_unit` (renamed, e.g. os_months) and flags as 0/1 integers."""
    if time_unit not in DAYS_PER_UNIT:
        raise ValueError(f"unknown time unit {time_unit!r}; choose one of {', '.join(DAYS_PER_UNIT)}")
    times = [c for c in frame.columns if SURVIVAL_TIMES.match(c)]
    if time_unit != "days":
        frame = frame.with_columns(
            (pl.col(c) / DAYS_PER_UNIT[time_unit]).alias(c.removesuffix("_days") + f"_{time_unit}") for c in times
        ).select(pl.col(c.removesuffix("_days") + f"_{time_unit}") if c in times else pl.col(c) for c in frame.columns)
    if binary_events:
        flags = [c for c, t in frame.schema.items() if t == pl.Boolean]
        frame = frame.with_columns(pl.col(flags).cast(pl.Int8))
    return frame


def _source_column(column: str) -> str:
    """The view column an exported column came from (os_months -> os_days)."""
    for unit in DAYS_PER_UNIT:
        stem = column.removesuffix(f"_{unit}")
        if stem != column and SURVIVAL_TIMES.match(f"{stem}_days"):
            return f"{stem}_days"
    return column


def _unit(column: str) -> str:
    source = _source_column(column)
    return column.rsplit("_", 1)[1] if source != column else UNITS.get(column, "")


def _levels(frame: pl.DataFrame, column: str) -> list[str]:
    """The column's levels in clinical order, then any other values found, sorted."""
    known = list(LEVELS.get(column, ()))
    found = sorted(set(frame[column].drop_nulls().to_list()) - set(known))
    return known + found


def codebook(frames: Mapping[str, pl.DataFrame], extension: str) -> pl.DataFrame:
    """Return one row per exported column: file, column, type, unit, levels, meaning and source view."""
    rows = []
    for name, frame in frames.items():
        for column, dtype in frame.schema.items():
            flag = dtype == pl.Int8  # a true/false flag written as 0/1 (analysis_ready)
            meaning = MEANINGS.get(_source_column(column)) or EXTRA_MEANINGS.get(column)
            rows.append({
                "file": f"{name}.{extension}", "column": column,
                "type": "0/1" if flag else "factor" if column in LEVELS else str(dtype).lower(), "unit": _unit(column),
                "levels": ", ".join(_levels(frame, column)) if column in LEVELS else "",
                "meaning": (meaning or "").replace("true =", "1 =").replace("false =", "0 =") if flag else meaning,
                "source": name,
            })
    return pl.DataFrame(rows)


def codebook_markdown(book: pl.DataFrame) -> str:
    """Return the codebook as Markdown: one section per file."""
    lines = ["# Codebook", "", "Every column of this export: type, unit, levels in clinical order, meaning, and the "
             "registry view it came from (`netpet views VIEW`).", ""]
    for (file,), rows in book.group_by("file", maintain_order=True):
        lines += [f"## {file}", "", markdown_table(rows.drop("file")), ""]
    return "\n".join(lines)


def write_labelled(frame: pl.DataFrame, path: Path, book: pl.DataFrame) -> None:
    """Write `frame` as Stata (.dta) or SPSS (.sav) with variable labels and factor value labels."""
    import pyreadstat

    labels = dict(book.select("column", "meaning").iter_rows())
    value_labels: dict[str, dict[float, str]] = {}
    coded = frame
    for column in frame.columns:
        if column in LEVELS:
            levels = _levels(frame, column)
            value_labels[column] = {float(i): level for i, level in enumerate(levels, start=1)}
            coded = coded.with_columns(
                pl.col(column).replace_strict(levels, list(range(1, len(levels) + 1)), default=None,
                                              return_dtype=pl.Float64)
            )
    table = coded.to_pandas()
    for column, dtype in coded.schema.items():
        if dtype == pl.Date:  # dates as dates (%td in Stata, DATE in SPSS), not datetimes
            table[column] = [None if v is None else v for v in coded[column].to_list()]
    column_labels = [(labels.get(c) or c)[:LABEL_CHARS] for c in coded.columns]
    if path.suffix == ".dta":
        pyreadstat.write_dta(table, str(path), column_labels=column_labels, variable_value_labels=value_labels,
                             version=15)
    else:
        pyreadstat.write_sav(table, str(path), column_labels=column_labels, variable_value_labels=value_labels)


def load_r_script(frames: Mapping[str, pl.DataFrame]) -> str:
    """Return R code that reads the CSV export with dates as Dates and factors in clinical order."""
    lines = [
        "# Read this NETPET export into R: source(\"load.R\") from the export folder (base R only).",
        "# Dates become Dates, factors get their levels in clinical order, events are 0/1 integers.",
        "read_netpet <- function(file, dates, factors) {",
        "  d <- read.csv(file, stringsAsFactors = FALSE, na.strings = \"\")",
        "  for (col in dates) d[[col]] <- as.Date(d[[col]])",
        "  for (col in names(factors)) d[[col]] <- factor(d[[col]], levels = factors[[col]])",
        "  d",
        "}",
    ]
    for name, frame in frames.items():
        dates = [c for c, t in frame.schema.items() if t == pl.Date]
        factors = [f"{c} = c({', '.join(_r_string(v) for v in _levels(frame, c))})"
                   for c in frame.columns if c in LEVELS]
        lines.append(
            f"{name} <- read_netpet(\"{name}.csv\", dates = c({', '.join(_r_string(d) for d in dates)}), "
            f"factors = list({', '.join(factors)}))"
        )
    return "\n".join(lines) + "\n"


def _r_string(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
