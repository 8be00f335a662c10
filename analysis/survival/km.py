"""Kaplan–Meier curves that agree with R's `survival::survfit`, as tidy polars frames.

Owns R's conventions for a product-limit curve: near-equal times merged first (`timefix`, R's `aeqSurv`),
the number at risk counted at t− (everyone with entry < t <= time), Greenwood variance, the five
confidence-interval types of `survfit(conf.type=)` clipped like R, the median by `quantile.survfit`'s rule,
and survival at chosen times as `summary(fit, times=, extend=FALSE)`. Tests between curves live in
`netpet.analysis.survival.logrank`; reading the registry lives in `netpet.analysis.studies.frames`.

lifelines' `KaplanMeierFitter` is not used: it offers only log-log intervals, compares times exactly,
reports the median as the first time S <= 0.5 (no midpoint of a flat segment, no median CI), and counts
the number at risk at the end of a period. Every one of those differs from R, which the registry follows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from netpet.analysis.studies.frames import SurvivalData
    from netpet.analysis.survival.logrank import LogrankResult

#: Confidence-interval types of R's survfit(conf.type=); "log" is R's default.
CONF_TYPES = ("log", "log-log", "plain", "logit", "arcsin")

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


@dataclass(frozen=True)
class KMResult:
    """A fitted set of Kaplan–Meier curves: the full table, the per-group summary and how they were made."""

    table: pl.DataFrame
    summary: pl.DataFrame
    conf_type: str
    conf_level: float
    levels: tuple[str, ...]


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
        raise ValueError("timefix: an (entry, time] interval has effective length 0 (R's aeqSurv exception)")


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
    (R's `Surv(entry, time, event)`) when an `entry` column has any non-zero value.
    """
    time, event, entry = _survival_columns(data)
    if group is not None and group not in data.columns and group != "group":
        raise ValueError(f"no column {group!r} in the survival data")
    for column in (c for c in (group, strata) if c is not None and c in data.columns):
        if data.get_column(column).null_count():
            raise ValueError(f"column {column!r} has missing values; drop or label them first")
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
    counts = SurvivalCounts(times, n, d, cell % k, cell // k, labels)
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


def _survival_columns(data: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return time, event (boolean) and entry (None unless some entry is non-zero), checked as R would."""
    missing = [c for c in ("time", "event") if c not in data.columns]
    if missing:
        raise ValueError(f"survival data need columns time and event; missing {', '.join(missing)}")
    if data.height == 0:
        raise ValueError("no patients to analyse")

    def values(name: str) -> np.ndarray:  # nulls become NaN; + 0.0 turns -0.0 into 0.0
        return data.get_column(name).cast(pl.Float64).to_numpy() + 0.0

    time, event = values("time"), values("event")
    if not np.all(np.isfinite(time)) or np.any(time < 0):
        raise ValueError("time must be finite and >= 0 in every row")
    if not np.all((event == 0) | (event == 1)):
        raise ValueError("event must be 0 or 1 (or boolean) in every row")
    if "entry" not in data.columns:
        return time, event == 1, None
    entry = values("entry")
    if not np.all(np.isfinite(entry)):
        raise ValueError("entry must be finite in every row")
    if not np.any(entry != 0):
        return time, event == 1, None  # every entry at 0 is right-censored data, as Surv(time, event)
    if np.any(time <= entry):
        raise ValueError("row(s) have time <= entry; R drops such empty intervals, drop them first")
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
            raise ValueError(f"groups not in levels: {', '.join(sorted(unknown))}")
    return tuple(label for label in labels if label in present)


def count_below(values: np.ndarray, weights: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Sum of `weights` over `values` strictly below each of `points`."""
    order = np.argsort(values, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(weights[order])])
    return cumulative[np.searchsorted(values[order], points, side="left")]


# --- the curve -------------------------------------------------------------------------------------------


def _curve(counts: SurvivalCounts) -> dict[str, np.ndarray]:
    """Product-limit estimate at every distinct time of one group, with Greenwood's se of log S."""
    u, where = np.unique(counts.time, return_inverse=True)
    exits = np.bincount(where, weights=counts.n, minlength=u.size)
    d = np.bincount(where, weights=counts.d, minlength=u.size)
    n = counts.at_risk(u)  # at t−, as R's survfit (lifelines' tables count at the end of the period)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d / n)
        # Greenwood: var(log S) = sum d / (n (n - d)); infinite once S reaches 0, as in R.
        se = np.sqrt(np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0)))
    return {"time": u, "n_risk": n, "n_event": d, "n_censor": exits - d, "surv": surv, "se": se}


def _confint(
    p: np.ndarray, se: np.ndarray, conf_type: str, conf_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits as R's `survfit_confint` (logse = TRUE); NaN where R gives NA.

    lifelines offers only the log-log ("exponential Greenwood") interval; R's default is "log".
    """
    z = NormalDist().inv_cdf(1 - (1 - conf_level) / 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "plain":
            half = se * p * z
            return np.maximum(p - half, 0.0), np.minimum(p + half, 1.0)
        if conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            return np.exp(np.log(xx) - z * se), np.minimum(np.exp(np.log(xx) + z * se), 1.0)
        if conf_type == "log-log":
            xx = np.where((p == 0) | (p == 1), np.nan, p)
            half = z * se / np.log(xx)
            return np.exp(-np.exp(np.log(-np.log(xx)) - half)), np.exp(-np.exp(np.log(-np.log(xx)) + half))
        if conf_type == "logit":
            xx = np.where(p == 0, np.nan, p)
            half = z * se * (1 + xx / (1 - xx))
            logit = np.log(p / (1 - p))
            return 1 - 1 / (1 + np.exp(logit - half)), 1 - 1 / (1 + np.exp(logit + half))
        if conf_type == "arcsin":
            xx = np.where(p == 0, np.nan, p)
            half = 0.5 * z * se * np.sqrt(xx / (1 - xx))
            angle = np.arcsin(np.sqrt(xx))
            lower, upper = np.maximum(0.0, angle - half), np.minimum(np.pi / 2, angle + half)
            return np.sin(lower) ** 2, np.sin(upper) ** 2
    raise ValueError(f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}")


def _findq(x: np.ndarray, y: np.ndarray, p: float, tol: float = TOLERANCE) -> float:
    """Port of survival's internal `findq`: the time where the curve 1 - S first reaches p.

    On a flat segment at exactly p the answer is the midpoint of the segment, and the segment may run to
    the last time (R's quantile.survfit rule; lifelines takes the first time S <= p instead); NaN when
    the curve never reaches p.
    """
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return math.nan
    xmax = x[-1]
    keep = np.sort(np.unique(y, return_index=True)[1])  # R's !duplicated(y), one NaN kept
    x, y = x[keep], y[keep]
    valid = np.flatnonzero(~np.isnan(y))

    def first_index(knots: np.ndarray) -> int | None:  # approx(knots, 1:n, p, "constant", f = 1)
        # approx sorts its x: a confidence band's 1 - S need not be monotone, and R follows the sorted one.
        order = np.argsort(knots, kind="stable")
        knots = knots[order]
        if knots.size == 0 or p < knots[0] or p > knots[-1]:
            return None
        return int(valid[order[np.searchsorted(knots, p, side="left")]])

    i1, i2 = first_index(y[valid] + tol), first_index(y[valid] - tol)
    if i1 is not None and not np.isnan(y[-1]) and abs(p - y[-1]) < tol:
        return float((x[i1] + xmax) / 2)
    if i1 is None or i2 is None:
        return math.nan
    return float((x[i1] + x[i2]) / 2)


def _median(curve: dict[str, np.ndarray]) -> tuple[float, float, float]:
    x = np.concatenate([[0.0], curve["time"]])
    return tuple(  # type: ignore[return-value]
        _findq(x, np.concatenate([[0.0], 1 - curve[k]]), 0.5) for k in ("surv", "lower", "upper")
    )


def km_fit(
    data: pl.DataFrame | SurvivalCounts,
    *,
    conf_type: str = "log",
    conf_level: float = 0.95,
    group: str | None = "group",
    levels: Sequence[Any] | None = None,
) -> KMResult:
    """Fit one Kaplan–Meier curve per group, as `survfit(Surv(time, event) ~ group, conf.type=)` in R.

    Parameters
    ----------
    data
        Columns time, event (0/1) and optionally entry (delayed entry: at risk on (entry, time]) and the
        `group` column. Without a group column there is one curve labelled "all". Or the result of
        `survival_counts` (then `group` and `levels` are already applied).
    conf_type
        "log" (R's default), "log-log", "plain", "logit" or "arcsin".
    conf_level
        Level of the pointwise intervals and of the median's interval.
    group, levels
        The grouping column and, optionally, the order of its levels.

    Returns
    -------
    KMResult with `table` (see `km_table`) and `summary` (see `km_summary`).

    Examples
    --------
    >>> import polars as pl
    >>> fit = km_fit(pl.DataFrame({"time": [1.0, 2, 2, 3], "event": [1, 1, 0, 1]}))
    >>> fit.table["surv"].to_list()
    [0.75, 0.5, 0.0]
    """
    if conf_type not in CONF_TYPES:
        raise ValueError(f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}")
    counts = as_counts(data, group=group, levels=levels)
    tables, summaries = [], []
    for code, label in enumerate(counts.levels):
        part = counts.select(group=code)
        curve = _curve(part)
        curve["lower"], curve["upper"] = _confint(curve["surv"], curve["se"], conf_type, conf_level)
        median = _median(curve)
        with np.errstate(invalid="ignore"):
            std_err = curve["surv"] * curve["se"]  # R's summary.survfit: the se of S, not of log S
        tables.append(
            pl.DataFrame(
                {
                    "group": [label] * curve["time"].size,
                    "time": curve["time"],
                    "n_risk": curve["n_risk"].astype(np.int64),
                    "n_event": curve["n_event"].astype(np.int64),
                    "n_censor": curve["n_censor"].astype(np.int64),
                    "surv": curve["surv"],
                    "std_err": std_err,
                    "lower": curve["lower"],
                    "upper": curve["upper"],
                },
                schema_overrides={"group": pl.String},
                nan_to_null=True,
            )
        )
        summaries.append(
            {
                "group": label,
                "n": int(part.n.sum()),
                "events": int(part.d.sum()),
                **dict(zip(("median", "median_lower", "median_upper"), _nan_to_none(median), strict=True)),
            }
        )
    summary = pl.DataFrame(
        summaries,
        schema={"group": pl.String, "n": pl.Int64, "events": pl.Int64, "median": pl.Float64,
                "median_lower": pl.Float64, "median_upper": pl.Float64},
        orient="row",
    )
    return KMResult(pl.concat(tables), summary, conf_type, conf_level, counts.levels)


def _nan_to_none(values: Sequence[float]) -> list[float | None]:
    return [None if math.isnan(v) else v for v in values]


def _as_fit(fit_or_data: KMResult | pl.DataFrame, options: dict[str, Any]) -> KMResult:
    if isinstance(fit_or_data, KMResult):
        if options:
            raise TypeError("pass fitting options to km_fit, not with an already fitted KMResult")
        return fit_or_data
    return km_fit(fit_or_data, **options)


def km_table(fit: KMResult | pl.DataFrame, **options: Any) -> pl.DataFrame:
    """Return the curve at every distinct time, as R's `summary(survfit, censored = TRUE)`.

    Columns group, time, n_risk (at t−), n_event, n_censor, surv, std_err (Greenwood se of S), lower,
    upper; null where R gives NA or NaN (limits at S = 0, log-log limits at S = 1). `fit` is a KMResult
    or a survival frame, fitted with `options` (see `km_fit`).
    """
    return _as_fit(fit, options).table


def km_summary(fit: KMResult | pl.DataFrame, **options: Any) -> pl.DataFrame:
    """Return group, n, events, median, median_lower, median_upper per curve, as R's `quantile(fit, 0.5)`.

    The median is where S first reaches 0.5, or the midpoint of a flat S = 0.5 segment; its limits are
    where the lower and upper pointwise bands reach 0.5, so they depend on `conf_type`. Null when the
    curve (or band) never reaches 0.5.
    """
    return _as_fit(fit, options).summary


def survival_at(fit: KMResult | pl.DataFrame, times: Sequence[float], **options: Any) -> pl.DataFrame:
    """Return the curves at `times`, as R's `summary(fit, times = times, extend = FALSE)`.

    surv, std_err and limits are those of the last curve time <= t (1 before the first); n_risk is the
    number at risk at t (the first curve time >= t); n_event and n_censor count what happened since the
    previous requested time. A time beyond a group's last follow-up time (event or censoring) gives no
    row for that group: the curve is not defined there (R's extend = FALSE; R errors when a group keeps
    no time at all, this returns no rows for it).
    """
    km = _as_fit(fit, options)
    wanted = np.sort(np.asarray([t for t in times if math.isfinite(t)], dtype=float))
    frames = [_rows_at(part, wanted) for part in km.table.partition_by("group", maintain_order=True)]
    return pl.concat(frames) if frames else km.table.clear()


def _rows_at(curve: pl.DataFrame, wanted: np.ndarray) -> pl.DataFrame:
    if curve["time"][0] != 0:  # R's survfit0: a row at time 0 with S = 1 and the first number at risk
        curve = pl.concat([curve.head(1).with_columns(
            time=pl.lit(0.0), n_event=pl.lit(0, pl.Int64), n_censor=pl.lit(0, pl.Int64), surv=pl.lit(1.0),
            std_err=pl.lit(0.0), lower=pl.lit(1.0), upper=pl.lit(1.0)), curve])
    t = curve["time"].to_numpy()
    wanted = wanted[wanted <= t[-1]]
    last = np.searchsorted(t, wanted, side="right")  # R's findInterval: the last curve time <= wanted
    first_after = np.searchsorted(t, wanted, side="left")
    n_risk = np.append(curve["n_risk"].to_numpy(), 0)[first_after]

    def since_previous(column: str) -> np.ndarray:
        cumulative = np.concatenate([[0], np.cumsum(curve[column].to_numpy())])[last]
        return np.diff(np.concatenate([[0], cumulative]))

    rows = curve[np.maximum(last, 1) - 1]
    return rows.with_columns(
        time=pl.Series(wanted, dtype=pl.Float64),
        n_risk=pl.Series(n_risk, dtype=pl.Int64),
        n_event=pl.Series(since_previous("n_event"), dtype=pl.Int64),
        n_censor=pl.Series(since_previous("n_censor"), dtype=pl.Int64),
    )


# --- the report the `netpet km` command prints ---------------------------------------------------------


@dataclass(frozen=True)
class KMReport:
    """Everything `netpet km` shows: curves, summaries, tests, survival at chosen times, exclusions."""

    fit: KMResult
    logrank: LogrankResult
    trend: LogrankResult | None
    pairwise: pl.DataFrame | None
    at: pl.DataFrame | None
    excluded: dict[str, int]
    endpoint: str
    origin: str
    time_unit: str
    delayed_entry: bool = False  # the log-rank test is then coxph's score test with Breslow ties

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of `netpet km --format json` (groups, logrank, units, provenance)."""
        tables = {
            part["group"][0]: part.drop("group", "std_err").to_dicts()
            for part in self.fit.table.partition_by("group", maintain_order=True)
        }
        payload: dict[str, Any] = {
            "groups": [{**row, "table": tables[row["group"]]} for row in self.fit.summary.to_dicts()],
            "logrank": self.logrank._asdict(),
            "time_unit": self.time_unit,
            "conf_type": self.fit.conf_type,
            "endpoint": self.endpoint,
            "origin": self.origin,
            "conf_level": self.fit.conf_level,
            "excluded": self.excluded,
            "delayed_entry": self.delayed_entry,
        }
        if self.trend is not None:
            payload["trend"] = self.trend._asdict()
        if self.pairwise is not None:
            payload["pairwise"] = self.pairwise.to_dicts()
        if self.at is not None:
            payload["at"] = self.at.to_dicts()
        return payload


def km_report(
    data: SurvivalData,
    *,
    conf_type: str = "log",
    conf_level: float = 0.95,
    at: Sequence[float] = (),
    ordered: bool = True,
) -> KMReport:
    """Fit curves by group and test them: log-rank, pairwise (Holm) and, for ordered groups, trend.

    Rows whose (entry, time] interval is empty (an event on the day of entry when the origin is the
    diagnosis) are left out and counted, as R's `Surv(entry, time, event)` makes them NA.

    Parameters
    ----------
    data
        From `netpet.analysis.studies.frames.survival_frame`; its exclusions are carried into the report.
    conf_type, conf_level
        Passed to `km_fit`.
    at
        Times (in the data's unit) for `survival_at`; none gives no such table.
    ordered
        Whether the group levels are ordered (NETPET score, WHO grade), so a trend test makes sense.
    """
    from netpet.analysis.survival.logrank import logrank_test, logrank_trend, pairwise_logrank

    frame, excluded = data.frame, dict(data.excluded)
    if "entry" in frame.columns and frame.filter(pl.col("entry") != 0).height:
        empty = pl.col("time") <= pl.col("entry")
        if frame.filter(empty).height:
            excluded["no follow-up after entry"] = frame.filter(empty).height
            frame = frame.filter(~empty)
    if frame.height == 0:
        reasons = "; ".join(f"{reason}: {n}" for reason, n in excluded.items()) or "the registry is empty"
        raise ValueError(f"no patients to analyse (excluded: {reasons})")
    levels = _levels_for(frame, data.by)
    counts = survival_counts(frame, levels=levels)
    fit = km_fit(counts, conf_type=conf_type, conf_level=conf_level)
    several = len(fit.levels) > 1
    return KMReport(
        fit=fit,
        logrank=logrank_test(counts),
        trend=logrank_trend(counts) if several and ordered else None,
        pairwise=pairwise_logrank(frame, levels=levels) if len(fit.levels) > 2 else None,
        at=survival_at(fit, at) if at else None,
        excluded=excluded,
        endpoint=data.endpoint,
        origin=data.origin,
        time_unit=data.time_unit,
        delayed_entry=counts.entry is not None,
    )


def _levels_for(frame: pl.DataFrame, by: str | None) -> list[str] | None:
    from netpet.analysis.studies.frames import GROUPINGS

    order = GROUPINGS.get(by) if by else None
    if order is None or "group" not in frame.columns:
        return None
    present = set(frame.get_column("group").cast(pl.String).unique().to_list())
    return [level for level in order if level in present]
