"""Kaplan–Meier curves that agree with R's `survival::survfit`, as tidy polars frames.

Owns R's conventions for a product-limit curve, from the counts of `netpet.analysis.survival.counts` (near-equal
times merged by R's `aeqSurv`, the number at risk at t−): Greenwood variance, the five
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
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.counts import TOLERANCE, SurvivalCounts, as_counts
from netpet.analysis.vocabulary import CONF_TYPES


@dataclass(frozen=True)
class KMResult:
    """A fitted set of Kaplan–Meier curves: the full table, the per-group summary and how they were made."""

    table: pl.DataFrame
    summary: pl.DataFrame
    conf_type: str
    conf_level: float
    levels: tuple[str, ...]
    notes: tuple[str, ...] = ()  # rows left out and R's warnings, worded for researchers


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
    raise AnalysisError(f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}")


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
        raise AnalysisError(f"unknown conf_type {conf_type!r}; choose one of {', '.join(CONF_TYPES)}")
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
    return KMResult(pl.concat(tables), summary, conf_type, conf_level, counts.levels, counts.notes)


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
