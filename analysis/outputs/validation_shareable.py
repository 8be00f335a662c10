"""`netpet validate --shareable`: the validation report with its counts suppressed (docs/disclosure.md).

Every scheme is measured on the same patients, so `schemes` publishes one n and one events count; each
scheme's levels (`medians`, and `calibration`, which repeats the level sizes) split them. Per scheme the table
suppressed is levels x (events, censored) with the level sizes as row totals and the scheme's n and events as
its margins, through the one engine (`netpet.registry.suppression`). A margin hidden by any scheme is hidden
in `schemes` and in every scheme's table, so no table gives away a total another hides. Estimates over a
level smaller than the threshold (median, RMST and its differences, calibration) are hidden with it. The
curves stay in the report for the figures, which stop where fewer than the threshold remain at risk
(`km_figure(min_cell=)`); `write_validation(min_cell=)` does not write them (`km_curves.csv`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from netpet.analysis.outputs.shareable import primary
from netpet.registry.suppression import suppress_grid, suppress_lines

if TYPE_CHECKING:
    from netpet.analysis.studies.validation import ValidationReport

#: Estimates of a level, hidden when the level is smaller than the threshold.
_LEVEL_ESTIMATES = {
    "medians": ("median", "median_lower", "median_upper"),
    "rmst": ("rmst", "se", "lower", "upper"),
    "rmst_differences": ("difference", "se", "lower", "upper", "p"),
    "calibration": ("predicted", "observed", "observed_lower", "observed_upper"),
}


def shareable_validation(report: ValidationReport, threshold: int) -> ValidationReport:
    """Return `report` with every count suppressed at `threshold` and small levels' estimates hidden."""
    n, events = _scheme_totals(report)
    hidden: set[int] = set()  # margins hidden: 0 events, 2 patients
    while True:
        per_scheme = {name: _levels(report.medians.filter(pl.col("scheme") == name), threshold, hidden)
                      for name in report.schemes["scheme"].to_list()}
        _, margin = suppress_grid([[events, n - events]], threshold,
                                  hidden=[(0, j) for j in sorted(hidden)])
        excluded, analysed_hidden = _excluded(report, n, threshold, 2 in hidden)
        now = {j for j in (0, 2) if margin.status[j]} | {j for shown in per_scheme.values() for j in shown[1]}
        now |= {2} if analysed_hidden else set()
        if now == hidden:
            break
        hidden = now
    shown = {**{(s, level): counts for s, (levels, _) in per_scheme.items() for level, counts in levels.items()}}
    small = {key for key, (size, _) in _true_sizes(report).items() if size < threshold}
    return replace(
        report,
        excluded=excluded,  # type: ignore[arg-type]
        schemes=report.schemes.with_columns(
            pl.lit(None if 2 in hidden else n, pl.Int64).alias("n"),
            pl.lit(None if 0 in hidden else events, pl.Int64).alias("events")),
        medians=_with_counts(_hide_small(report.medians, "medians", small), shown),
        calibration=_with_counts(_hide_small(report.calibration, "calibration", small), shown, events=False),
        rmst=_hide_small(report.rmst, "rmst", small),
        rmst_differences=_hide_small(report.rmst_differences, "rmst_differences", small),
    )


def _excluded(report: ValidationReport, analysed: int, threshold: int,
              hide_analysed: bool) -> tuple[dict[str, int | None], bool]:
    """Suppress the exclusions; where they and the patients analysed add up to the registry's patients (which
    validation.md states), as one line. Return them and whether the patients analysed must be hidden too."""
    reasons = list(report.excluded)
    counts = [int(report.excluded[r]) for r in reasons]
    if report.study.get("registry_patients") != analysed + sum(counts) or report.study.get("cohort"):
        return primary(report.excluded, threshold), hide_analysed
    values = [*counts, analysed, analysed + sum(counts)]
    k = len(counts)
    result = suppress_lines(values, [(list(range(k + 1)), k + 1)], threshold,
                            hidden=[k] if hide_analysed else [], protected=[k, k + 1])
    return ({r: None if result.status[i] else counts[i] for i, r in enumerate(reasons)},
            result.status[k] is not None)


def _scheme_totals(report: ValidationReport) -> tuple[int, int]:
    """The patients and events every scheme is measured on (the same complete cases)."""
    if report.schemes.height == 0:
        return 0, 0
    return int(report.schemes["n"][0]), int(report.schemes["events"][0])


def _true_sizes(report: ValidationReport) -> dict[tuple[str, str], tuple[int, int]]:
    """(scheme, level) -> (patients, events) of every level."""
    return {(r["scheme"], r["level"]): (int(r["n"]), int(r["events"])) for r in report.medians.iter_rows(named=True)}


def _levels(medians: pl.DataFrame, threshold: int,
            hidden: set[int]) -> tuple[dict[str, tuple[int | None, int | None]], set[int]]:
    """Suppress one scheme's levels x (events, censored) with margins; return shown counts and hidden margins."""
    levels = medians["level"].to_list()
    cells = [[int(e), int(k) - int(e)] for k, e in zip(medians["n"].to_list(), medians["events"].to_list(),
                                                        strict=True)]
    full, result = suppress_grid(cells, threshold, row_totals_first=True,
                                 hidden=[(len(levels), j) for j in sorted(hidden)])
    shown = {level: (None if result.status[i * 3 + 2] else int(full[i, 2]),
                     None if result.status[i * 3] else int(full[i, 0])) for i, level in enumerate(levels)}
    margins = {j for j in (0, 2) if result.status[len(levels) * 3 + j]}
    return shown, margins


def _hide_small(table: pl.DataFrame, name: str, small: set[tuple[str, str]]) -> pl.DataFrame:
    """Null the estimates of levels smaller than the threshold (a difference of either level of it)."""
    if table.height == 0:
        return table
    keys = list(small)
    hit = pl.struct("scheme", "level").is_in([{"scheme": s, "level": v} for s, v in keys])
    if "reference" in table.columns:
        hit = hit | pl.struct("scheme", pl.col("reference").alias("level")).is_in(
            [{"scheme": s, "level": v} for s, v in keys])
    return table.with_columns(pl.when(hit).then(None).otherwise(pl.col(c)).alias(c)
                              for c in _LEVEL_ESTIMATES[name] if c in table.columns)


def _with_counts(table: pl.DataFrame, shown: dict[tuple[str, str], tuple[int | None, int | None]], *,
                 events: bool = True) -> pl.DataFrame:
    """Replace a per-level table's n (and events) by their suppressed values."""
    if table.height == 0:
        return table
    keys = list(zip(table["scheme"].to_list(), table["level"].to_list(), strict=True))
    columns = [pl.Series("n", [shown[k][0] for k in keys], dtype=pl.Int64)]
    if events:
        columns.append(pl.Series("events", [shown[k][1] for k in keys], dtype=pl.Int64))
    return table.with_columns(columns)
