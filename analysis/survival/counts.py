"""Survival data as counts: R's rows (timefix, usable rows), then per group and distinct time the numbers
entering, at risk, dying and censored, which the curves and the tests between them are computed from.

Owns R's `aeqSurv` merging of near-equal times (`timefix`), the rule of which rows R analyses, the number at
risk at t- (everyone with entry < t <= time) and the group levels in model order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.usable_rows import usable_rows

#: R's default tolerance for timefix and quantiles: sqrt(.Machine$double.eps).
TOLERANCE = math.sqrt(np.finfo(float).eps)

#: The label of the single curve when the data have no group column.
ALL = "all"


@dataclass(frozen=True)
class SurvivalCounts:
    """A survival frame reduced to counts per distinct time within each (stratum, group) cell.

    Every estimate here needs only how many rows leave (and how many die) at each time, and with
    delayed entry how many enter at each time, so the work is done on these few rows rather than on one
    row per patient: what makes a million-patient registry fast. Times are timefixed; groups and strata
    are integer codes, `levels` names the groups.
    """

    time: np.ndarray  # distinct exit times within a cell
    n: np.ndarray  # rows leaving at that time
    d: np.ndarray  # events among them
    group: np.ndarray
    strata: np.ndarray
    levels: tuple[str, ...]
    entry: np.ndarray | None = None  # distinct entry times within a cell; None for right-censored data
    entry_n: np.ndarray | None = None
    entry_group: np.ndarray | None = None
    entry_strata: np.ndarray | None = None
    notes: tuple[str, ...] = ()  # rows left out (R's na.omit), no events: said on every result made from these

    def select(self, *, group: int | None = None, stratum: int | None = None) -> SurvivalCounts:
        """Return the counts of one group and/or one stratum (levels unchanged)."""

        def mask(groups: np.ndarray, strata: np.ndarray) -> np.ndarray:
            keep = np.ones(groups.size, dtype=bool)
            if group is not None:
                keep &= groups == group
            if stratum is not None:
                keep &= strata == stratum
            return keep

        exits = mask(self.group, self.strata)
        out = replace(self, time=self.time[exits], n=self.n[exits], d=self.d[exits], group=self.group[exits],
                      strata=self.strata[exits])
        if (
            self.entry is None or self.entry_n is None
            or self.entry_group is None or self.entry_strata is None
        ):
            return out
        entries = mask(self.entry_group, self.entry_strata)
        return replace(out, entry=self.entry[entries], entry_n=self.entry_n[entries],
                       entry_group=self.entry_group[entries], entry_strata=self.entry_strata[entries])

    def at_risk(self, points: np.ndarray) -> np.ndarray:
        """Number at risk at each of `points` (t−, as R): time >= t and, with delayed entry, entry < t."""
        if self.entry is None or self.entry_n is None:
            entered = self.n.sum()
        else:
            entered = count_below(self.entry, self.entry_n, points)
        return entered - count_below(self.time, self.n, points)


def timefix(time: np.ndarray, entry: np.ndarray | None = None, tolerance: float = TOLERANCE):
    """Merge near-equal times to the smaller one, as R's `aeqSurv` does before ties are counted.

    Sorted distinct times (entry and exit together) closer than `tolerance`, absolutely or relative to
    their mean absolute value, are one time. Times in months (days / 30.4375) reached by different
    arithmetic differ in the last bits; R counts them as ties, and so must we (lifelines compares times
    exactly, so its curves and tests differ from R's on such data).

    Returns
    -------
    (time, entry) with the merged values; raises ValueError, as R does, when merging makes an
    (entry, time] interval empty.
    """
    values = time if entry is None else np.concatenate([entry, time])
    cuts = _timefix_cuts(np.unique(values), tolerance)
    if cuts is None:
        return time, entry
    new_time = _snap(cuts, time)
    if entry is None:
        return new_time, None
    new_entry = _snap(cuts, entry)
    _check_intervals(new_entry, new_time, entry, time)
    return new_time, new_entry


def _timefix_cuts(y: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray | None:
    """The values near-equal times snap to (R's aeqSurv `cuts`), or None when no times are tied."""
    y = y[np.isfinite(y)]
    if y.size < 2:
        return None
    dy = np.diff(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    return y[np.concatenate([[True], ~tied])] if tied.any() else None


def _snap(cuts: np.ndarray, x: np.ndarray) -> np.ndarray:
    return cuts[np.searchsorted(cuts, x, side="right") - 1]


def _check_intervals(
    new_entry: np.ndarray, new_time: np.ndarray, entry: np.ndarray, time: np.ndarray
) -> None:
    if np.any((new_entry == new_time) & (entry != time)):
        raise AnalysisError("timefix: an (entry, time] interval has effective length 0 (R's aeqSurv exception)")


def survival_counts(
    data: pl.DataFrame,
    *,
    group: str | None = "group",
    strata: str | None = None,
    levels: Sequence[Any] | None = None,
    fix_times: bool = True,
) -> SurvivalCounts:
    """Check a survival frame (time, event, optional entry) and reduce it to timefixed counts.

    Groups keep the order of `levels` (default: a polars Enum's order, else sorted values, as R sorts
    factor levels); only levels present in the data are kept. Data are in counting-process form
    (R's `Surv(entry, time, event)`) when an `entry` column has any non-zero value. As R, rows with a
    missing time, event, entry, group or stratum, and empty (entry, time] intervals, are left out; the
    result's `notes` count them and say when there are no events (R's survdiff then warns).
    """
    if group is not None and group not in data.columns and group != "group":
        raise AnalysisError(f"no column {group!r} in the survival data")
    data, notes = _usable(data, [c for c in (group, strata) if c is not None and c in data.columns])
    time, event, entry = _survival_columns(data)
    if not event.any():  # R's survdiff then gives chisq 0 on -1 df with a warning; survfit a flat curve
        notes.append("No events in the data: the curves stay at 1 and there is nothing to test")
    if group is not None and group in data.columns:
        labels = _levels(data.get_column(group).unique(), levels)
        cells = _codes(data.get_column(group), labels)
    else:
        labels, cells = (ALL,), np.zeros(data.height, dtype=np.int64)
    k = n_cells = len(labels)
    if strata is not None:  # cell = stratum * k + group
        strata_codes = _codes(data.get_column(strata))
        cells = strata_codes * k + cells
        n_cells = (int(strata_codes.max()) + 1) * k

    # Rows ordered by cell (a stable sort of small integers is a linear-time radix sort in numpy), then
    # each cell's times sorted and counted: sorts of contiguous slices, no per-row hashing.
    order = np.argsort(cells.astype(np.int16) if n_cells < 2**15 else cells, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(cells, minlength=n_cells))])
    times, n, d, cell = _cell_counts(time[order], event[order], bounds)
    entries = None if entry is None else _cell_counts(entry[order], None, bounds)
    if fix_times:
        cuts = _timefix_cuts(np.unique(np.concatenate([times, *([entries[0]] if entries else [])])))
        if cuts is not None:
            times = _snap(cuts, times)
            if entries is not None and entry is not None:
                entries = (_snap(cuts, entries[0]), *entries[1:])
                _check_intervals(_snap(cuts, entry), _snap(cuts, time), entry, time)
    counts = SurvivalCounts(times, n, d, cell % k, cell // k, labels, notes=tuple(notes))
    if entries is None:
        return counts
    entry_times, entry_n, _, entry_cell = entries
    return replace(counts, entry=entry_times, entry_n=entry_n, entry_group=entry_cell % k,
                   entry_strata=entry_cell // k)


def _cell_counts(
    values: np.ndarray, event: np.ndarray | None, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values, their counts and events, and cell, for rows sorted by cell between `bounds`."""
    out = []
    for c in np.flatnonzero(np.diff(bounds)):
        part = slice(bounds[c], bounds[c + 1])
        distinct, n = _distinct(np.sort(values[part]))
        deaths = np.zeros(distinct.size)
        if event is not None:
            dead, d = _distinct(np.sort(values[part][event[part]]))
            deaths[np.searchsorted(distinct, dead)] = d
        out.append((distinct, n, deaths, np.full(distinct.size, c)))
    return tuple(np.concatenate(column) for column in zip(*out, strict=True))  # type: ignore[return-value]


def _distinct(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and how often each occurs."""
    if ordered.size == 0:
        return ordered, np.zeros(0)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return ordered[starts], np.diff(np.append(starts, ordered.size)).astype(float)


def as_counts(data: pl.DataFrame | SurvivalCounts, **options: Any) -> SurvivalCounts:
    """Return `data` if it is already a SurvivalCounts, else `survival_counts(data, **options)`.

    Reducing a large frame once and passing the counts to `km_fit` and `logrank_test` halves their cost.
    """
    return data if isinstance(data, SurvivalCounts) else survival_counts(data, **options)


def _codes(column: pl.Series, labels: Sequence[str] | None = None) -> np.ndarray:
    """Integer codes of a column's values, in the order of `labels` (default: any order)."""
    text = column if column.dtype == pl.String else column.cast(pl.String)
    if labels is None:
        labels = text.unique().to_list()
    return text.cast(pl.Enum(list(labels))).to_physical().to_numpy().astype(np.int64)


def _usable(data: pl.DataFrame, labels: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Return the rows R analyses (complete time, event, entry and `labels`; non-empty intervals) and notes."""
    missing = [c for c in ("time", "event") if c not in data.columns]
    if missing:
        raise AnalysisError(f"survival data need columns time and event; missing {', '.join(missing)}")
    used = ["time", "event", *(["entry"] if "entry" in data.columns else []), *labels]
    usable, notes = usable_rows(data, used)
    if usable.height == 0:
        raise AnalysisError("no patients to analyse" + (f" ({'; '.join(notes)})" if notes else ""))
    return usable, notes


def _survival_columns(data: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return time, event (boolean) and entry (None unless some entry is non-zero) of complete rows."""

    def values(name: str) -> np.ndarray:  # nulls become NaN; + 0.0 turns -0.0 into 0.0
        return data.get_column(name).cast(pl.Float64).to_numpy() + 0.0

    time, event = values("time"), values("event")
    if not np.all(np.isfinite(time)) or np.any(time < 0):
        raise AnalysisError("time must be finite and >= 0 in every row")
    if "entry" not in data.columns:
        return time, event == 1, None
    entry = values("entry")
    if not np.all(np.isfinite(entry)):
        raise AnalysisError("entry must be finite in every row")
    if not np.any(entry != 0):
        return time, event == 1, None  # every entry at 0 is right-censored data, as Surv(time, event)
    return time, event == 1, entry


def _levels(values: pl.Series, levels: Sequence[Any] | None) -> tuple[str, ...]:
    """Group labels as text (polars' spelling, so codes and labels agree), in level order, present only."""
    present = set(values.cast(pl.String).unique().to_list())
    if levels is None:
        if isinstance(values.dtype, pl.Enum):
            labels = values.dtype.categories.to_list()
        else:
            labels = values.unique().sort().cast(pl.String).to_list()
    else:
        labels = pl.Series(list(levels)).cast(pl.String).to_list()
        unknown = present - set(labels)
        if unknown:
            raise AnalysisError(f"groups not in levels: {', '.join(sorted(unknown))}")
    return tuple(label for label in labels if label in present)


def count_below(values: np.ndarray, weights: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Sum of `weights` over `values` strictly below each of `points`."""
    order = np.argsort(values, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(weights[order])])
    return cumulative[np.searchsorted(values[order], points, side="left")]


# --- the curve -------------------------------------------------------------------------------------------
