"""Shareable forms of the survival outputs: KM summaries, curves on a grid, the cohort flow, exclusions.

Every count goes through `netpet.registry.suppression` (primary, disclosive zeros, LP-checked complements), so
`km`, `cox`, `report` and `validate` hide the same way the audit does (docs/disclosure.md). A hidden count is
None (null in CSV and JSON, `*` in text); an estimate computed over fewer than the threshold (a median of a
small group, survival where fewer remain at risk) is hidden with it. Curves are never published per event
time: the shareable curve is the estimate on a grid of times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.registry.suppression import HIDDEN, Suppressed, is_small, suppress_grid, suppress_lines

if TYPE_CHECKING:
    import numpy as np

    from netpet.analysis.studies.cox_analysis import CoxReport
    from netpet.analysis.studies.km_analysis import KMReport

#: Columns of a KM summary that are estimates over the group's patients.
_ESTIMATES = ("median", "median_lower", "median_upper")
#: Columns of a KM table or `survival_at` frame that estimate the curve.
_CURVE = ("surv", "std_err", "lower", "upper")


def text(value: int | None) -> str:
    """A published count as text: the number, or `*` when it is hidden."""
    return HIDDEN if value is None else str(value)


def group_counts(summary: pl.DataFrame, threshold: int, *, hide_total: bool = False) -> pl.DataFrame:
    """Return a per-group summary (group, n, events, ...) with n and events suppressed together.

    The table suppressed is groups x (events, censored) with the group sizes as row totals, suppressed first
    as a one-way table (as Table 1's patient counts are) so both show and hide the same sizes; `hide_total`
    hides their total (which another table hides). Estimates of a group smaller than the threshold are hidden
    too, and its `suppressed` column is true (a null median is otherwise "not reached").
    """
    n, events = summary["n"].to_list(), summary["events"].to_list()
    full, result = _group_grid(n, events, threshold, hide_total)
    width = 3
    shown = {
        "n": [None if result.status[i * width + 2] else int(full[i, 2]) for i in range(len(n))],
        "events": [None if result.status[i * width] else int(full[i, 0]) for i in range(len(n))],
    }
    small = pl.Series("suppressed", [k < threshold for k in n])
    estimates = [c for c in _ESTIMATES if c in summary.columns]
    return summary.with_columns(
        pl.Series("n", shown["n"], dtype=pl.Int64), pl.Series("events", shown["events"], dtype=pl.Int64),
        *(pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in estimates), small,
    )


def _group_grid(n: Sequence[int], events: Sequence[int], threshold: int,
                hide_total: bool) -> tuple[np.ndarray, Suppressed]:
    """Suppress groups x (events, censored) with the group sizes first; the grand total hidden on request."""
    return suppress_grid([[e, k - e] for k, e in zip(n, events, strict=True)], threshold, row_totals_first=True,
                         hidden=[(len(n), 2)] if hide_total else [])


def totals(summary: pl.DataFrame, threshold: int, *, hide_total: bool = False) -> tuple[int | None, int | None]:
    """Return the suppressed total patients and events of a KM summary, as `group_counts` shows its margins."""
    n, events = summary["n"].to_list(), summary["events"].to_list()
    full, result = _group_grid(n, events, threshold, hide_total)
    rows = len(n) * 3
    return (None if result.status[rows + 2] else int(full[-1, 2]),
            None if result.status[rows] else int(full[-1, 0]))


def curve_grid(report: KMReport, times: Sequence[float], threshold: int) -> pl.DataFrame:
    """Return the curves at `times` (as R's summary(fit, times)) with what fewer than the threshold would tell.

    Numbers at risk below the threshold are hidden with the estimates there; a group whose size is hidden
    hides every number at risk (the first is its size). Per-interval events and censorings are never
    published: beside numbers at risk they would give one another away.
    """
    from netpet.analysis.survival.km import survival_at

    hidden = _hidden_groups(report, threshold)
    grid = survival_at(report.fit, [t for t in times if t > 0])
    few = (pl.col("n_risk") < threshold) | pl.col("group").is_in(hidden)
    return grid.with_columns(
        pl.when(few).then(None).otherwise(pl.col("n_risk")).alias("n_risk"),
        pl.lit(None, pl.Int64).alias("n_event"), pl.lit(None, pl.Int64).alias("n_censor"),
        *(pl.when(pl.col("n_risk") < threshold).then(None).otherwise(pl.col(c)).alias(c)
          for c in _CURVE if c in grid.columns),
    )


def _hidden_groups(report: KMReport, threshold: int) -> list[str]:
    """The groups whose size `group_counts` hides."""
    shown = group_counts(report.fit.summary, threshold)
    return shown.filter(pl.col("n").is_null())["group"].to_list()


def primary(counts: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """Hide counts from 1 to `threshold - 1` of a set of counts with no published total (exclusions)."""
    return {key: None if is_small(n, threshold) else int(n) for key, n in counts.items()}


def flow_counts(flow: pl.DataFrame, threshold: int, *, hide_analysed: bool = False) -> pl.DataFrame:
    """Return the cohort flow with `remaining` and `excluded` as text, suppressed so none can be worked out.

    The flow publishes one line per step: the patients excluded at it (by reason) and those remaining add
    up to the patients remaining at the step before. The registry's patients (which the manifest states) and
    the patients analysed (which the KM summary adds up to) are hidden only when nothing else protects a
    small count; `hide_analysed` hides the latter as another table does.
    """
    values: list[int] = []
    remaining: dict[int, int] = {}
    excluded: list[tuple[int, int]] = []  # (step, entry) per flow row
    for row in flow.iter_rows(named=True):
        if row["step"] not in remaining:
            remaining[row["step"]] = len(values)
            values.append(int(row["remaining"]))
        excluded.append((row["step"], len(values)))
        values.append(int(row["excluded"]))
    steps = list(remaining)
    lines = [([*(e for s, e in excluded if s == step), remaining[step]], remaining[before])
             for before, step in pairwise(steps)]
    ends = [remaining[steps[0]], remaining[steps[-1]]]
    result = suppress_lines(values, lines, threshold, hidden=ends[1:] if hide_analysed else [], protected=ends)
    return flow.with_columns(
        pl.Series("remaining", [result.label(remaining[s]) for s in flow["step"].to_list()], dtype=pl.String),
        pl.Series("excluded", [result.label(e) for _, e in excluded], dtype=pl.String),
    )


def flow_excluded(flow: pl.DataFrame) -> dict[str, int | None]:
    """The exclusions by reason as a suppressed flow shows them (None where hidden)."""
    return {row["reason"]: None if row["excluded"] == HIDDEN else int(row["excluded"])
            for row in flow.iter_rows(named=True) if row["reason"]}


def default_grid(report: KMReport) -> list[float]:
    """The grid of a shareable curve when no times are asked for: the KM figure's x ticks after 0."""
    from netpet.analysis.outputs.km_figure import time_breaks

    t_max = float(report.fit.table["time"].max() or 0.0)  # type: ignore[arg-type]
    return [t for t in time_breaks(t_max, report.time_unit) if t > 0]


def km_payload(report: KMReport, threshold: int, times: Sequence[float]) -> dict[str, Any]:
    """Return `netpet km --format json` as it may leave the registry: the same keys, suppressed counts null.

    Each group's `table` holds the curve on `times` (`curve_grid`) instead of a row per event time; a group's
    `suppressed` is true where its estimates are hidden (fewer than the threshold); `min_cell` is the threshold.
    """
    payload = report.to_dict()
    grid = curve_grid(report, times, threshold)
    tables = {part["group"][0]: part.drop("group", "std_err").to_dicts()
              for part in grid.partition_by("group", maintain_order=True)}
    payload["groups"] = [{**row, "table": tables.get(row["group"], [])}
                         for row in group_counts(report.fit.summary, threshold).to_dicts()]
    payload["excluded"] = primary(report.excluded, threshold)
    if report.pairwise is not None:
        payload["pairwise"] = pairwise_shown(report, threshold).to_dicts()  # type: ignore[union-attr]
    if report.at is not None:
        payload["at"] = curve_grid(report, report.at["time"].unique(maintain_order=True).to_list(),
                                   threshold).to_dicts()
    payload["min_cell"] = threshold
    return payload


def pairwise_shown(report: KMReport, threshold: int) -> pl.DataFrame | None:
    """The pairwise log-rank tests but those of a group smaller than the threshold (its statistic tells of each)."""
    if report.pairwise is None:
        return None
    small = group_counts(report.fit.summary, threshold).filter(pl.col("suppressed"))["group"].to_list()
    return report.pairwise.filter(~pl.col("group1").is_in(small) & ~pl.col("group2").is_in(small))


@dataclass(frozen=True)
class CoxCounts:
    """A Cox report's counts as a shareable output publishes them: None where suppressed at `min_cell`."""

    n: int | None
    events: int | None
    patients: int | None
    excluded: dict[str, int | None]
    min_cell: int

    def payload(self, report: CoxReport) -> dict[str, Any]:
        """Return the report's JSON contract with these counts, and the threshold as "min_cell"."""
        return {**report.to_dict(), "n": self.n, "events": self.events, "patients": self.patients,
                "excluded": self.excluded, "min_cell": self.min_cell}


def cox_counts(report: CoxReport, threshold: int) -> CoxCounts:
    """Return a Cox report's counts suppressed at `threshold`.

    n (rows), patients and events are suppressed as one row of events and non-events with its total (the
    model's rows), so a small number of censored rows hides the events too; exclusions by reason have no
    published total and show only from the threshold up.
    """
    n, events = report.n, report.events
    _, result = suppress_grid([[events, n - events]], threshold)
    shown_n = None if result.status[2] else n
    patients = report.patients
    return CoxCounts(n=shown_n, events=None if result.status[0] else events,
                     patients=shown_n if patients == n else (None if is_small(patients, threshold) else patients),
                     excluded=primary(report.excluded, threshold), min_cell=threshold)
