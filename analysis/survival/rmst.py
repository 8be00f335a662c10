"""Restricted mean survival time to a horizon tau, per level and between levels, as R computes them.

The RMST of a level is the area under its Kaplan-Meier curve from 0 to tau, with the variance R's
``print(survfit(...), rmean = tau)`` gives (``survmean``): sum over event times t_i < tau of
A_i^2 d_i / (n_i (n_i - d_i)), A_i the area under the curve from t_i to tau. A curve that ends before tau
is carried flat to tau, as R does. Differences between levels are survRM2's ``rmst2``: the difference of
the RMSTs with se = sqrt(se_1^2 + se_0^2) (independent groups) and a two-sided normal p. The KM curves
themselves come from `netpet.analysis.survival.km` (R's timefix and at-risk conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy.special import ndtr

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.counts import ALL
from netpet.analysis.survival.km import km_fit

Z95 = 1.959963984540054  # qnorm(0.975)
RMST_SCHEMA = {"level": pl.String, "rmst": pl.Float64, "se": pl.Float64, "lower": pl.Float64, "upper": pl.Float64}


def _area(curve: pl.DataFrame, tau: float) -> tuple[float, float]:
    """Return the RMST to tau of one KM curve (a km_fit table) and its variance, as R's survmean."""
    time, surv, n_risk, n_event = (curve[c].to_numpy().astype(float) for c in ("time", "surv", "n_risk", "n_event"))
    keep = time <= tau
    knots = np.concatenate([time[keep], [tau]])
    steps = np.concatenate([[1.0], surv[keep]])  # S on each interval [previous knot, knot)
    rectangles = np.diff(np.concatenate([[0.0], knots])) * steps
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(n_risk[keep] - n_event[keep] == 0, 0.0,
                          n_event[keep] / (n_risk[keep] * (n_risk[keep] - n_event[keep])))
    # the area from each knot to tau, paired with the hazard term of that knot's time
    beyond = np.cumsum(rectangles[::-1])[::-1][1:]
    return float(rectangles.sum()), float(np.sum(beyond**2 * hazard))


def _group_strings(group: np.ndarray | Sequence | None, n: int) -> pl.Series:
    if group is None:
        return pl.Series("group", [ALL] * n, dtype=pl.String)
    values = pl.Series("group", list(group) if not isinstance(group, np.ndarray) else group)
    if values.len() != n:
        raise AnalysisError(f"group has {values.len()} values for {n} patients")
    if values.null_count():
        raise AnalysisError("group must not be missing; drop incomplete cases first")
    return values.cast(pl.String)


def rmst(
    time: np.ndarray,
    event: np.ndarray,
    tau: float,
    *,
    group: np.ndarray | Sequence | None = None,
    levels: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Return the RMST to `tau` per level: level, rmst, se, lower, upper (rmst -/+ 1.96 se, as survRM2).

    R: ``summary(survfit(Surv(time, event) ~ group), rmean = tau)$table[, c("rmean", "se(rmean)")]``.
    Levels are the group values as strings, in `levels` order or sorted; without a group, one level "all".

    Examples
    --------
    >>> import numpy as np
    >>> rmst(np.array([1.0, 2, 3, 4]), np.array([1, 1, 1, 1]), 4.0)["rmst"].to_list()
    [2.5]
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(np.int64)
    if not tau > 0:
        raise AnalysisError(f"tau must be a positive time, got {tau}")
    frame = pl.DataFrame({"time": time, "event": event, "group": _group_strings(group, time.size)})
    fit = km_fit(frame, levels=levels)
    rows = []
    for level, curve in fit.table.group_by("group", maintain_order=True):
        area, variance = _area(curve, tau)
        se = float(np.sqrt(variance))
        rows.append({"level": level[0], "rmst": area, "se": se, "lower": area - Z95 * se, "upper": area + Z95 * se})
    return pl.DataFrame(rows, schema=RMST_SCHEMA)


def rmst_differences(
    time: np.ndarray,
    event: np.ndarray,
    tau: float,
    *,
    group: np.ndarray | Sequence,
    reference: str | None = None,
    levels: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Return each level's RMST minus the reference level's: level, reference, difference, se, lower, upper, p.

    survRM2's ``rmst2`` difference for every level against `reference` (the first level by default):
    se = sqrt(se_level^2 + se_reference^2), 95% CI difference -/+ 1.96 se, p = 2 P(Z > |difference / se|).
    """
    table = rmst(time, event, tau, group=group, levels=levels)
    names = table["level"].to_list()
    reference = names[0] if reference is None else reference
    if reference not in names:
        raise AnalysisError(f"reference level {reference!r} is not among the levels: {', '.join(names)}")
    base = table.row(names.index(reference), named=True)
    others = table.filter(pl.col("level") != reference)
    difference = others["rmst"].to_numpy() - base["rmst"]
    se = np.sqrt(others["se"].to_numpy() ** 2 + base["se"] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * ndtr(-np.abs(difference / se))
    return pl.DataFrame({
        "level": others["level"], "reference": [reference] * others.height, "difference": difference,
        "se": se, "lower": difference - Z95 * se, "upper": difference + Z95 * se, "p": p,
    }, schema_overrides={"reference": pl.String})
