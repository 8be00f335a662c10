"""Discrimination of a risk score: Harrell's and Uno's C, the comparison of several C's, and time-dependent AUC.

Pure estimators (numpy arrays in, frozen dataclasses or polars tables out); the registry-driven study
that feeds them lives elsewhere. Every score is a risk score: a higher score means a higher risk, i.e. a
shorter survival. That is R's convention for a Cox linear predictor in ``concordance(fit)``; for a raw
score R needs ``concordance(Surv(time, event) ~ score, reverse = TRUE)``, which these functions equal.

Confidence intervals are C +/- 1.96 SE with R's infinitesimal-jackknife (IJ) SE. For Uno's C the IJ
treats the censoring weights as fixed, as R does. Pair counting: `netpet.analysis.survival.concordance` (Harrell's C and
its SE) and `netpet.analysis.survival.weighted_pairs` (the weighted per-subject counts that the covariances need).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from scipy.special import ndtr

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.concordance import concordance_index
from netpet.analysis.survival.risksets import fix_times
from netpet.analysis.survival.weighted_pairs import PairCounts, weighted_pair_counts

Z95 = 1.959963984540054  # qnorm(0.975)
TimeWeight = Literal["n", "n/G2"]


@dataclass(frozen=True)
class Concordance:
    """A concordance with its IJ standard error, 95% CI and its (weighted, for Uno's C) pair counts.

    Counts follow the risk-score direction: concordant = the member with the higher score dies first.
    `tied_time` and `tied_both` are R's tied.y and tied.xy (events at the same time; not comparable).
    """

    c: float
    se: float
    lower: float
    upper: float
    n: int
    concordant: float
    discordant: float
    tied_x: float
    tied_time: float
    tied_both: float


def _arrays(time: np.ndarray, event: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    time = np.asarray(time, dtype=float)
    event = np.asarray(event).astype(bool)
    score = np.asarray(score, dtype=float)
    if not time.size == event.size == score.size:
        raise AnalysisError(f"time, event and score differ in length ({time.size}, {event.size}, {score.size})")
    if np.isnan(time).any() or np.isnan(score).any():
        raise AnalysisError("time and score must not be missing (NaN); drop incomplete cases first")
    return time, event, score


def _ranks(score: np.ndarray) -> np.ndarray:
    return np.unique(score, return_inverse=True)[1].astype(np.int64)


def _censoring_weights(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Return 1 / G(t-)^2 per subject (meaningful at events), G the censoring KM as R's fastkm1."""
    fixed = fix_times(time)
    unique, _, before = _reverse_km(fixed, event)
    with np.errstate(divide="ignore"):
        return 1.0 / before[np.searchsorted(unique, fixed)] ** 2


def _time_weights(time: np.ndarray, event: np.ndarray, timewt: TimeWeight, tau: float | None) -> np.ndarray:
    """Return each subject's pair weight as its event time's weight: R's `timewt`, zero after `ymax`."""
    if timewt not in ("n", "n/G2"):
        raise AnalysisError(f"unknown timewt {timewt!r}; choose 'n' or 'n/G2'")
    use_g = timewt == "n/G2" and event.sum() >= 2  # R falls back to "n" with fewer than two events
    weight = _censoring_weights(time, event) if use_g else np.ones(time.size)
    if tau is not None:
        weight = np.where(fix_times(time) > tau, 0.0, weight)
    return weight


def _somers_influence(counts: PairCounts) -> tuple[float, np.ndarray]:
    """Return Somers' d (larger predictor = longer life) and its per-subject dfbeta, as concordancefit."""
    concordant, discordant, tied = counts.totals
    pairs = concordant + discordant + tied
    if pairs == 0:
        return float("nan"), np.full(counts.rows.shape[0], np.nan)
    somers = (concordant - discordant) / pairs
    rows = counts.rows
    return somers, (rows[:, 0] - rows[:, 1]) / pairs - somers / pairs * rows.sum(axis=1)


def _risk_counts(
    time: np.ndarray, event: np.ndarray, score: np.ndarray, weight: np.ndarray, entry: np.ndarray | None = None
) -> PairCounts:
    """Weighted pair counts with the score read as a risk (its ranks reversed)."""
    rank = _ranks(score)
    return weighted_pair_counts(time, event, rank.max() - rank if rank.size else rank, weight, entry=entry)


def _concordance(c: float, se: float, n: int, counts: PairCounts) -> Concordance:
    concordant, discordant, tied = counts.totals
    return Concordance(
        c=c, se=se, lower=c - Z95 * se, upper=c + Z95 * se, n=n, concordant=float(concordant),
        discordant=float(discordant), tied_x=float(tied), tied_time=counts.tied_time, tied_both=counts.tied_both,
    )


def harrell_c(
    time: np.ndarray,
    event: np.ndarray,
    score: np.ndarray,
    *,
    entry: np.ndarray | None = None,
    strata: np.ndarray | None = None,
) -> Concordance:
    """Return Harrell's C of a risk score with its IJ SE and 95% CI, as R's concordance(..., reverse = TRUE).

    Parameters
    ----------
    time, event, score : array-like
        Follow-up time, 1 for an event, and the risk score (higher = higher risk).
    entry : array-like, optional
        Entry times of (entry, time] rows, as ``Surv(entry, time, event)``.
    strata : array-like, optional
        Pairs are compared only within a stratum and the counts summed, as ``strata()`` in the formula.

    Returns
    -------
    Concordance
        NaN C and SE when there is no comparable pair (for instance, no events).

    Examples
    --------
    >>> import numpy as np
    >>> harrell_c(np.array([1.0, 2, 3, 4]), np.array([1, 1, 0, 1]), np.array([4.0, 3, 1, 2])).c
    1.0
    """
    time, event, score = _arrays(time, event, score)
    entry = None if entry is None else np.asarray(entry, dtype=float)
    c, se = concordance_index(time, event, score, strata, entry=entry, reverse=True)
    codes = np.zeros(time.size, dtype=np.int64) if strata is None else np.unique(strata, return_inverse=True)[1]
    rows, tied_time, tied_both = np.zeros((time.size, 3)), 0.0, 0.0
    for code in np.unique(codes):
        keep = codes == code
        part = _risk_counts(time[keep], event[keep], score[keep], np.ones(int(keep.sum())),
                            None if entry is None else entry[keep])
        rows[keep] = part.rows
        tied_time, tied_both = tied_time + part.tied_time, tied_both + part.tied_both
    return _concordance(float(c), float(se), time.size, PairCounts(rows, tied_time, tied_both))


def uno_c(time: np.ndarray, event: np.ndarray, score: np.ndarray, *, tau: float | None = None) -> Concordance:
    """Return Uno's C of a risk score, as R's concordance(..., timewt = "n/G2", ymax = tau, reverse = TRUE).

    Each comparable pair with its event at t is weighted by 1 / G(t-)^2, G the Kaplan-Meier estimate of the
    censoring distribution (left-continuous; events leave the risk set before censorings at a shared
    time). Pairs whose event is after `tau` get weight 0. With fewer than two events R uses unit weights,
    and so does this. The SE is R's IJ SE with the weights held fixed. Right-censored data only (R refuses
    "n/G2" for (entry, time] data).
    """
    time, event, score = _arrays(time, event, score)
    weight = _time_weights(time, event, "n/G2", tau)
    counts = _risk_counts(time, event, score, weight)
    somers, dfbeta = _somers_influence(counts)
    return _concordance((somers + 1) / 2, float(np.sqrt(np.sum(dfbeta**2) / 4)), time.size, counts)


def compare_concordance(
    time: np.ndarray,
    event: np.ndarray,
    scores: Mapping[str, np.ndarray],
    *,
    reference: str,
    timewt: TimeWeight = "n",
    tau: float | None = None,
) -> pl.DataFrame:
    """Return each score's C minus the reference score's C, with the 95% CI and p from their joint IJ covariance.

    As R's ``concordance(fit1, fit2, ...)``: the per-subject dfbeta of each concordance, var = crossprod
    of the dfbetas; the contrast c_k - c_ref has variance v_kk + v_rr - 2 v_kr and a two-sided normal p.
    All scores must be on the same patients. Columns: scheme, reference, c_difference, lower, upper, p.
    """
    if reference not in scores:
        raise AnalysisError(f"reference {reference!r} is not among the scores: {', '.join(scores)}")
    time, event, _ = _arrays(time, event, scores[reference])
    weight = _time_weights(time, event, timewt, tau)
    c, dfbeta = {}, {}
    for name, score in scores.items():
        somers, influence = _somers_influence(_risk_counts(time, event, _arrays(time, event, score)[2], weight))
        c[name], dfbeta[name] = (somers + 1) / 2, influence / 2
    rows = []
    for name in scores:
        if name == reference:
            continue
        difference = c[name] - c[reference]
        se = float(np.sqrt(np.sum((dfbeta[name] - dfbeta[reference]) ** 2)))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = float(2 * ndtr(-abs(difference / se)))
        rows.append({"scheme": name, "reference": reference, "c_difference": difference,
                     "lower": difference - Z95 * se, "upper": difference + Z95 * se, "p": p})
    schema = {"scheme": pl.String, "reference": pl.String, "c_difference": pl.Float64, "lower": pl.Float64,
              "upper": pl.Float64, "p": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _reverse_km(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return distinct times, G at and just before each: the censoring KM as prodlim(reverse = TRUE) and
    R's concordance (fastkm1): events at s leave the risk set before the censorings at s."""
    unique, inverse = np.unique(time, return_inverse=True)
    censored = np.bincount(inverse, weights=(~event).astype(float), minlength=unique.size)
    deaths = np.bincount(inverse, weights=event.astype(float), minlength=unique.size)
    at_risk = np.cumsum(np.bincount(inverse, minlength=unique.size)[::-1])[::-1].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        after = np.cumprod(np.where(censored > 0, 1.0 - censored / (at_risk - deaths), 1.0))
    return unique, after, np.concatenate([[1.0], after[:-1]])


def _below_and_tied(rank: np.ndarray, weight: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return per rank the weight at lower ranks and at that rank."""
    at = np.bincount(rank, weights=weight, minlength=size)
    return np.cumsum(at) - at, at


def _auc_at(
    time: np.ndarray, event: np.ndarray, rank: np.ndarray, g: tuple[np.ndarray, ...], t: float
) -> tuple[float, np.ndarray]:
    """Return the IPCW AUC at t and its influence function, as riskRegression's AUC.survival with KM censoring
    (getIC0AUC plus getInfluenceFunctionAUCKMCensoringTerm, riskRegression 2022.11.28)."""
    unique, g_after, g_before = g
    group = np.searchsorted(unique, time)
    n = time.size
    cases, controls = (time <= t) & event, time > t
    last = int(np.searchsorted(unique, t, side="right")) - 1  # the last distinct time <= t
    weight = np.zeros(n)
    weight[cases] = 1.0 / g_before[group[cases]]
    weight[controls] = 1.0 / (g_after[last] if last >= 0 else 1.0)
    mu_case, mu_control = weight[cases].sum(), weight[controls].sum()
    if mu_case == 0 or mu_control == 0:
        return float("nan"), np.full(n, np.nan)
    size = int(rank.max()) + 1
    below, tied = _below_and_tied(rank, np.where(controls, weight, 0.0), size)
    case_part = below[rank] + 0.5 * tied[rank]  # controls with lower risk, half of those tied (getIC0AUC)
    below, tied = _below_and_tied(rank, np.where(cases, weight, 0.0), size)
    above = below[-1] + tied[-1] - below - tied
    control_part = above[rank] + 0.5 * tied[rank]
    auc = float(np.sum(weight[cases] * case_part[cases]) / (mu_case * mu_control))
    mu = mu_case * mu_control / n**2
    nu = auc * mu
    ic0 = np.where(cases, weight / n * (case_part * mu - mu_control * nu),
                   np.where(controls, weight / n * (control_part * mu - mu_case * nu), 0.0)) / mu**2

    # The censoring term: the influence of the KM weights through the Nelson-Aalen censoring hazard.
    counts = np.bincount(group, minlength=unique.size).astype(float)
    at_risk = np.cumsum(counts[::-1])[::-1]
    censored = np.bincount(group, weights=(~event).astype(float), minlength=unique.size)
    martingale = np.cumsum(censored * n / at_risk**2)
    f = np.where(time <= t, (~event) * n / at_risk[group] - martingale[group], -martingale[max(last, 0)])
    terms = []
    for value in (np.where(cases, case_part * weight, 0.0), np.where(cases, weight, 0.0)):
        per_group = np.bincount(group, weights=value, minlength=unique.size)
        remaining = per_group.sum() - np.cumsum(per_group)  # cases in later groups
        passed = np.cumsum(np.concatenate([[0.0], per_group[1:] * martingale[:-1]]))
        terms.append((-passed[group] + f * remaining[group]) / n**2)
    numerator, denominator = terms[0], terms[1] * mu_control
    return auc, ic0 + (numerator * mu - denominator * nu) / mu**2


def time_dependent_auc(
    time: np.ndarray, event: np.ndarray, marker: np.ndarray, times: Sequence[float] | np.ndarray
) -> pl.DataFrame:
    """Return the cumulative/dynamic IPCW AUC of a risk marker at each time: time, auc, se, lower, upper.

    Equals riskRegression::Score(list(marker), Hist(time, event) ~ 1, metrics = "auc", cens.model = "km",
    se.fit = TRUE): cases at t are events by t weighted 1 / G(T_i-), controls are still event-free after
    t weighted 1 / G(t), G the reverse Kaplan-Meier of censoring; tied markers count one half. The SE is
    Score's: sd of the influence function (including the term of the estimated censoring weights) / sqrt(n);
    the 95% CI is AUC -/+ 1.96 SE clipped to [0, 1]. Chosen over scikit-survival's cumulative_dynamic_auc,
    which computes the same AUC but no SE. NaN where t has no case or no control.
    """
    time, event, marker = _arrays(time, event, marker)
    order = np.argsort(time, kind="stable")
    time, event, marker = time[order], event[order], marker[order]
    rank = _ranks(marker)
    g = _reverse_km(time, event)
    rows = []
    for t in np.asarray(times, dtype=float):
        auc, influence = _auc_at(time, event, rank, g, float(t))
        se = float(np.std(influence, ddof=1) / np.sqrt(time.size))
        rows.append({"time": float(t), "auc": auc, "se": se, "lower": max(0.0, auc - Z95 * se),
                     "upper": min(1.0, auc + Z95 * se)})
    return pl.DataFrame(rows, schema=dict.fromkeys(("time", "auc", "se", "lower", "upper"), pl.Float64))
