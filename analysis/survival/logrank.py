"""Log-rank tests that agree with R's `survival::survdiff` and `coxph` score tests: overall, pairwise, trend.

Owns the comparison of survival curves between groups: the G-rho family of `survdiff(rho=)` (optionally
stratified), pairwise tests with multiplicity adjustment as R's `p.adjust`, and the test for trend over
ordered groups. Curves themselves live in `netpet.analysis.survival.km`, which also owns timefix and the data checks.

lifelines is not used: its `logrank_test`/`multivariate_logrank_test` compare times exactly (no timefix),
have no stratified test, no trend test, no adjustment and no delayed entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.counts import SurvivalCounts, as_counts, survival_counts

ADJUSTMENTS = ("holm", "bonferroni", "BH", "none")


class LogrankResult(NamedTuple):
    """A chi-square test: statistic, degrees of freedom and p value.

    With fewer than two groups with expected events (two groups, one without events) there is nothing to
    test: chisq 0, df 0, p NaN, as survdiff. Where R's survdiff stops (one group; a singular variance, e.g.
    every subject at risk dies at the only event time) `logrank_test` raises `NoTest`.
    """

    chisq: float
    df: int
    p: float


class NoTest(AnalysisError):
    """R's survdiff stops on these data: one group, or a singular variance. `result` is what a report that
    shows the curves anyway prints: chisq 0 on 0 df for one group, chisq NaN for a singular variance."""

    def __init__(self, message: str, result: LogrankResult) -> None:
        super().__init__(message)
        self.result = result


def _stratum_counts(counts: SurvivalCounts, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (n at risk, deaths) per distinct event time (rows) and group (columns) in one stratum."""
    dead = counts.d > 0
    u = np.unique(counts.time[dead])
    cell = np.searchsorted(u, counts.time[dead]) * k + counts.group[dead]
    deaths = np.bincount(cell, weights=counts.d[dead], minlength=u.size * k).reshape(u.size, k)
    at_risk = np.column_stack([counts.select(group=g).at_risk(u) for g in range(k)])
    return at_risk, deaths


def _score_parts(
    counts: SurvivalCounts, *, rho: float, hypergeometric: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the weighted observed-minus-expected vector, its variance and the expected, summed over strata.

    `hypergeometric=True` is survdiff's variance, sum w² d (n - d) / (n (n - 1)) (diag(n_g) - n_g n_h / n);
    `False` is the Cox information at beta = 0 with Breslow ties, sum d / n (diag(n_g) - n_g n_h / n),
    which is what coxph's score test uses (and what R offers for delayed entry).
    """
    k = len(counts.levels)
    o_minus_e, variance, expected = np.zeros(k), np.zeros((k, k)), np.zeros(k)
    for stratum in np.unique(counts.strata):
        n_g, d_g = _stratum_counts(counts.select(stratum=int(stratum)), k)
        n, d = n_g.sum(axis=1), d_g.sum(axis=1)
        weight = np.ones_like(n)
        if rho != 0:  # S(t−) of the pooled Kaplan–Meier in this stratum, as survdiff's left-continuous KM
            weight = np.cumprod(np.concatenate([[1.0], 1 - d / n]))[:-1] ** rho
        stratum_expected = (weight * d / n) @ n_g
        expected += stratum_expected
        o_minus_e += weight @ d_g - stratum_expected
        with np.errstate(divide="ignore", invalid="ignore"):
            c = weight**2 * d * (n - d) / (n * (n - 1)) if hypergeometric else d / n
        c = np.where(n > 1, c, 0.0)  # one subject at risk carries no variance (survdiff's rule)
        variance += np.diag(c @ n_g) - (n_g * (c / n)[:, None]).T @ n_g
    return o_minus_e, variance, expected


def _chisq(o_minus_e: np.ndarray, variance: np.ndarray, expected_positive: np.ndarray) -> LogrankResult:
    from scipy.special import chdtrc  # the chi-square upper tail; scipy.stats takes half a second to import

    keep = np.flatnonzero(expected_positive)  # survdiff drops groups with no expected events
    if keep.size < 2:
        return LogrankResult(0.0, 0, float("nan"))
    diff, var = o_minus_e[keep][1:], variance[np.ix_(keep, keep)][1:, 1:]
    df = keep.size - 1
    try:
        chisq = float(diff @ np.linalg.solve(var, diff))
    except np.linalg.LinAlgError as exc:  # R's survdiff stops here: "system is exactly singular"
        raise NoTest("no log-rank test: the variance of the observed minus expected events is singular "
                     "(R's survdiff: 'Lapack routine dgesv: system is exactly singular'), e.g. every subject "
                     "at risk has the event", LogrankResult(float("nan"), df, float("nan"))) from exc
    return LogrankResult(chisq, df, float(chdtrc(df, chisq)))


def logrank_test(
    data: pl.DataFrame | SurvivalCounts,
    *,
    rho: float = 0.0,
    group: str = "group",
    strata: str | None = None,
    levels: Sequence[Any] | None = None,
) -> LogrankResult:
    """Test equality of survival between groups, as R's `survdiff(Surv(time, event) ~ group, rho=)`.

    Weights are S(t−)^rho of the pooled Kaplan–Meier: rho = 0 is the log-rank test, rho = 1 Peto–Peto
    (Fleming–Harrington G-rho). `strata` names a column for a stratified test (`+ strata(x)` in R).
    `data` may also be the result of `netpet.analysis.survival.km.survival_counts` (grouping and strata
    already applied).
    With delayed entry (an `entry` column), R's survdiff does not apply; the test is then the Cox score
    test with Breslow ties, as `coxph(Surv(entry, time, event) ~ factor(group), ties = "breslow")`,
    which differs from survdiff's hypergeometric variance only at tied event times; rho must be 0.

    Rows left out (missing values, empty intervals) and the absence of events are said in the `notes` of
    `survival_counts(data)`, which this reduces the data with.

    Returns
    -------
    LogrankResult(chisq, df, p); df is the number of groups with expected events minus one.

    Raises
    ------
    NoTest
        Where R's survdiff stops: one group, or a singular variance (`logrank_where_defined` returns the
        degenerate result instead).

    Examples
    --------
    >>> import polars as pl
    >>> d = pl.DataFrame({"time": [1.0, 2, 3, 4], "event": [1, 1, 1, 1], "group": ["a", "b", "a", "b"]})
    >>> round(logrank_test(d).chisq, 6)  # by hand: O - E = 2 - 4/3, V = 13/18, chisq = 8/13
    0.615385
    """
    counts = as_counts(data, group=group, strata=strata, levels=levels)
    if np.unique(counts.group).size < 2:
        raise NoTest("no log-rank test: there is only 1 group (R's survdiff stops: 'There is only 1 group')",
                     LogrankResult(0.0, 0, float("nan")))
    delayed = counts.entry is not None
    if delayed and rho != 0:
        raise AnalysisError("with delayed entry only rho = 0 (the Cox score test, Breslow ties) is available")
    o_minus_e, variance, expected = _score_parts(counts, rho=rho, hypergeometric=not delayed)
    return _chisq(o_minus_e, variance, expected > 0)


def logrank_where_defined(data: pl.DataFrame | SurvivalCounts, **options: Any) -> LogrankResult:
    """`logrank_test`, or where R's survdiff stops (`NoTest`) the degenerate result, for reports that show
    the curves whatever the test: chisq 0 on 0 df for one group, chisq NaN for a singular variance."""
    try:
        return logrank_test(data, **options)
    except NoTest as exc:
        return exc.result


def logrank_trend(
    data: pl.DataFrame | SurvivalCounts,
    *,
    scores: Sequence[float] | Mapping[Any, float] | None = None,
    group: str = "group",
    strata: str | None = None,
    levels: Sequence[Any] | None = None,
) -> LogrankResult:
    """Test for a trend in survival over ordered groups: the Cox score test on a numeric group score.

    With scores s_g, O_g - E_g the observed minus expected events and V the Breslow information of the
    group indicators (see `logrank_test`), the statistic is (s'(O - E))² / (s' V s) on 1 df: the score
    test of `coxph(Surv(time, event) ~ as.numeric(group) [+ strata(x)], ties = "breslow")`.

    Parameters
    ----------
    scores
        One number per level, in level order or as a {level: score} mapping; default 1, 2, ..., k, as R's
        `as.numeric(factor)`. Only the spacing matters: any s -> a + b s gives the same test.
    group, strata, levels
        As in `logrank_test`; `levels` sets the order of the groups.
    """
    from scipy.special import chdtrc  # the chi-square upper tail; scipy.stats takes half a second to import

    counts = as_counts(data, group=group, strata=strata, levels=levels)
    s = _scores(counts.levels, scores)
    o_minus_e, variance, _ = _score_parts(counts, rho=0, hypergeometric=False)
    information = float(s @ variance @ s)
    if information <= 0:
        return LogrankResult(0.0, 0, float("nan"))
    chisq = float((s @ o_minus_e) ** 2 / information)
    return LogrankResult(chisq, 1, float(chdtrc(1, chisq)))


def _scores(levels: tuple[str, ...], scores: Sequence[float] | Mapping[Any, float] | None) -> np.ndarray:
    if scores is None:
        return np.arange(1, len(levels) + 1, dtype=float)
    if isinstance(scores, Mapping):
        by_label = {str(k): float(v) for k, v in scores.items()}
        missing = [level for level in levels if level not in by_label]
        if missing:
            raise AnalysisError(f"no score for level(s) {', '.join(missing)}")
        return np.array([by_label[level] for level in levels])
    if len(scores) != len(levels):
        raise AnalysisError(f"{len(scores)} scores for {len(levels)} levels ({', '.join(levels)})")
    return np.asarray(scores, dtype=float)


def pairwise_logrank(
    data: pl.DataFrame,
    *,
    rho: float = 0.0,
    group: str = "group",
    strata: str | None = None,
    levels: Sequence[Any] | None = None,
    adjust: str = "holm",
) -> pl.DataFrame:
    """Compare every pair of groups with `logrank_test` on the two groups' rows; adjust the p values.

    As R's `survdiff` on each two-group subset followed by `p.adjust(p, method = adjust)` (holm,
    bonferroni, BH or none). Pairs follow the level order.

    Returns
    -------
    Frame with group1, group2, chisq, p, p_adjusted.
    """
    if adjust not in ADJUSTMENTS:
        raise AnalysisError(f"unknown adjustment {adjust!r}; choose one of {', '.join(ADJUSTMENTS)}")
    labels = survival_counts(data, group=group, levels=levels, fix_times=False).levels
    column = data.get_column(group).cast(pl.String)
    rows = []
    for a, b in combinations(labels, 2):
        pair = data.filter(column.is_in([a, b]))
        result = logrank_where_defined(pair, rho=rho, group=group, strata=strata, levels=[a, b])
        rows.append({"group1": a, "group2": b, "chisq": result.chisq, "p": result.p})
    frame = pl.DataFrame(rows, schema={"group1": pl.String, "group2": pl.String, "chisq": pl.Float64,
                                       "p": pl.Float64})
    return frame.with_columns(p_adjusted=pl.Series(adjust_p(frame["p"].to_numpy(), adjust)))


def adjust_p(p: np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust p values for multiple comparisons exactly as R's `p.adjust` (holm, bonferroni, BH, none)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if method == "none" or m == 0:
        return p.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * p)
    if method == "holm":
        order = np.argsort(p, kind="stable")
        adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    elif method == "BH":
        order = np.argsort(-p, kind="stable")
        adjusted = np.minimum(1.0, np.minimum.accumulate(m / np.arange(m, 0, -1) * p[order]))
    else:
        raise AnalysisError(f"unknown adjustment {method!r}; choose one of {', '.join(ADJUSTMENTS)}")
    out = np.empty(m)
    out[order] = adjusted
    return out
