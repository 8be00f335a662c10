"""Table 1 as it may leave the registry: every count suppressed with its margins, percentages only where safe.

Works on the text table `netpet.analysis.outputs.tables.table_one` builds. Per categorical variable the table
published is groups x (levels, Missing) with the group sizes (the `n` row) as row totals and the Overall column
as column totals; the group sizes are suppressed first as a one-way table, so every variable shows and hides
the same sizes (`suppress_grid(row_totals_first=True)`). A percentage is shown only beside a shown count whose
denominator (the group's patients with a value: its size less its Missing count) is shown too, so it adds
nothing to what the counts tell. A median [IQR] is shown only for at least the threshold of values.
"""

from __future__ import annotations

import re

import polars as pl

from netpet.registry.suppression import HIDDEN, suppress_grid, suppress_vector

_COUNT = re.compile(r"(\d+)(?: \(.*\))?")


def _count(cell: str | None) -> int:
    """The count a Table 1 cell shows (`12 (40.0)` or `3`)."""
    match = _COUNT.fullmatch(cell or "")
    if match is None:
        raise ValueError(f"not a Table 1 count: {cell!r}")
    return int(match.group(1))


def shareable_table_one(table: pl.DataFrame, threshold: int, *, hide_total: bool = False) -> pl.DataFrame:
    """Return `table` (from `table_one`) with its counts suppressed at `threshold` (see the module docstring).

    `hide_total` hides the patients overall (the `n` row's Overall), as another table of the report does.
    """
    columns = [c for c in table.columns if c not in ("variable", "level", "p", "test")]
    groups = [c for c in columns if c != "Overall"]
    rows = table.to_dicts()
    sizes = [_count(rows[0][g]) for g in groups]
    total = [len(groups)] if hide_total else []
    sized = suppress_vector(sizes, threshold, hidden=total)
    rows[0] = {**rows[0], **{g: sized.label(k) for k, g in enumerate(groups)}, "Overall": sized.label(len(groups))}
    variables = list(dict.fromkeys(r["variable"] for r in rows[1:]))
    for variable in variables:
        block = [k for k, r in enumerate(rows) if r["variable"] == variable]
        if any(rows[k]["level"] == "Median [IQR]" for k in block):
            _continuous(rows, block, groups, sizes, threshold, hide_total)
        else:
            _categorical(rows, [k for k in block if rows[k]["level"] is not None], groups, threshold, hide_total)
    return pl.DataFrame(rows, schema=table.schema, orient="row")


def _categorical(rows: list[dict], block: list[int], groups: list[str], threshold: int, hide_total: bool) -> None:
    """Suppress one categorical variable's level and Missing rows in place; percentages where safe."""
    counts = [[_count(rows[k][g]) for k in block] for g in groups]
    full, result = suppress_grid(counts, threshold, row_totals_first=True,
                                 hidden=[(len(groups), len(block))] if hide_total else [])
    width = len(block) + 1
    missing = next((j for j, k in enumerate(block) if rows[k]["level"] == "Missing"), None)
    columns = [*groups, "Overall"]
    for i, name in enumerate(columns):
        total_shown = result.status[i * width + width - 1] is None
        missing_shown = missing is None or result.status[i * width + missing] is None
        for j, k in enumerate(block):
            if result.status[i * width + j] is not None:
                rows[k][name] = HIDDEN
            elif not (total_shown and missing_shown) and j != missing:
                rows[k][name] = str(int(full[i, j]))  # the percentage would tell the hidden denominator


def _continuous(rows: list[dict], block: list[int], groups: list[str], sizes: list[int], threshold: int,
                hide_total: bool) -> None:
    """Hide a median [IQR] over fewer than `threshold` values; suppress the Missing row with the sizes."""
    median = next(k for k in block if rows[k]["level"] == "Median [IQR]")
    missing = next((k for k in block if rows[k]["level"] == "Missing"), None)
    absent = [_count(rows[missing][g]) if missing is not None else 0 for g in groups]
    known = [n - m for n, m in zip(sizes, absent, strict=True)]
    for name, values in zip([*groups, "Overall"], [*known, sum(known)], strict=True):
        if values < threshold:
            rows[median][name] = HIDDEN
    if missing is None:
        return
    full, result = suppress_grid([[k, m] for k, m in zip(known, absent, strict=True)], threshold,
                                 row_totals_first=True, hidden=[(len(groups), 2)] if hide_total else [])
    for i, name in enumerate([*groups, "Overall"]):
        rows[missing][name] = HIDDEN if result.status[i * 3 + 1] is not None else str(int(full[i, 1]))
