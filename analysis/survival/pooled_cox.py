"""The site-stratified Cox model of a grouping, fitted from each site's counts alone (no rows leave a site).

`coxph(Surv(time, event) ~ group + strata(site))` on the combined rows equals this fit: each site gives its
partial log-likelihood, gradient and information at the current coefficients from its (time, at risk,
deaths) per group, and R's Newton-Raphson (`netpet.analysis.survival.newton`) steps on their sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import polars as pl
from scipy.special import chdtrc

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.counts import SurvivalCounts
from netpet.analysis.survival.cox import ModelTest
from netpet.analysis.survival.newton import newton_raphson

#: The normal quantile of 95% Wald intervals.
Z_975 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class FederatedCox:
    """A site-stratified Cox model for the grouping, fitted from site contributions alone."""

    coefficients: pl.DataFrame
    coef: np.ndarray
    var: np.ndarray
    loglik_null: float
    loglik: float
    likelihood_ratio: ModelTest
    wald: ModelTest
    score: ModelTest
    iterations: int
    converged: bool
    reference: str
    ties: str



def site_cox_terms(
    counts: SurvivalCounts, beta: np.ndarray, *, reference: int = 0, ties: str = "efron"
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return one site's partial log-likelihood, gradient and information at `beta`, from counts alone.

    The model is log-hazard = beta_g for group g (beta of the `reference` group fixed at 0), with its
    own baseline hazard per site. At each event time t with n_g at risk and d_g deaths per group, and
    d = sum d_g, Efron's approximation gives, for j = 0..d-1, the risk-set sum
    A_j = sum_g (n_g - (j/d) d_g) exp(beta_g) (Breslow: j/d = 0); then
    loglik += sum_g d_g beta_g - sum_j log A_j, gradient_g += d_g - sum_j a_jg / A_j with
    a_jg = (n_g - (j/d) d_g) exp(beta_g), and information += sum_j diag(m_j) - m_j m_j' with m_j = a_j / A_j
    (the covariates are 0/1 indicators, so their squares are themselves).
    """
    k = len(counts.levels)
    keep = np.array([g for g in range(k) if g != reference])
    full = np.zeros(k)
    full[keep] = beta
    dead = counts.d > 0
    times = np.unique(counts.time[dead])
    if times.size == 0:
        return 0.0, np.zeros(keep.size), np.zeros((keep.size, keep.size))
    cell = np.searchsorted(times, counts.time[dead]) * k + counts.group[dead]
    deaths = np.bincount(cell, weights=counts.d[dead], minlength=times.size * k).reshape(times.size, k)
    at_risk = np.column_stack([counts.select(group=g).at_risk(times) for g in range(k)])
    total = deaths.sum(axis=1).astype(np.int64)
    # One row per (event time, j): Efron's j/d for j = 0..d-1.
    row = np.repeat(np.arange(times.size), total)
    j = np.arange(row.size) - np.repeat(np.cumsum(total) - total, total)
    fraction = j / total[row] if ties == "efron" else np.zeros(row.size)
    weights = np.exp(full)
    a = (at_risk[row] - fraction[:, None] * deaths[row]) * weights
    big_a = a.sum(axis=1)
    m = a[:, keep] / big_a[:, None]
    loglik = float(deaths.sum(axis=0) @ full - np.log(big_a).sum())
    gradient = deaths.sum(axis=0)[keep] - m.sum(axis=0)
    information = np.diag(m.sum(axis=0)) - m.T @ m
    return loglik, gradient, information


def fit_stratified_cox(
    sites: Sequence[SurvivalCounts],
    *,
    levels: Sequence[str],
    reference: str | None = None,
    ties: str = "efron",
    term: str = "group",
) -> FederatedCox:
    """Fit `coxph(Surv(time, event) ~ group + strata(site))` by Newton–Raphson over site contributions.

    Each iteration asks every site for `site_cox_terms` at the current coefficients and sums them; the
    steps, step-halving and stopping rule (relative change in log-likelihood < 1e-9, at most 20
    iterations) are those of R's coxph, so the estimates equal R's on the combined rows. Terms are
    named `term=level`, as `netpet.analysis.survival.cox` names indicator columns.
    """
    if ties not in ("efron", "breslow"):
        raise AnalysisError(f"unknown ties method {ties!r}; choose efron or breslow")
    ref = reference if reference is not None else levels[0]
    if ref not in levels:
        raise AnalysisError(f"reference group {ref!r} is not among the pooled groups ({', '.join(levels)})")
    ref_code = list(levels).index(ref)

    def total(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        parts = [site_cox_terms(site, beta, reference=ref_code, ties=ties) for site in sites]
        return (sum(p[0] for p in parts), sum(p[1] for p in parts), sum(p[2] for p in parts))  # type: ignore[return-value]

    fit = newton_raphson(total, len(levels) - 1)
    new_beta, var = fit.beta, fit.var
    se = np.sqrt(np.diag(var))
    z = new_beta / se
    names = [f"{term}={level}" for level in levels if level != ref]
    coefficients = pl.DataFrame({
        "term": names,
        "coef": new_beta,
        "hazard_ratio": np.exp(new_beta),
        "se": se,
        "z": z,
        "p": chdtrc(1, z**2),
        "lower": np.exp(new_beta - Z_975 * se),
        "upper": np.exp(new_beta + Z_975 * se),
    })
    p = new_beta.size

    def test(chisq: float) -> ModelTest:
        return ModelTest(float(chisq), p, float(chdtrc(p, chisq)))

    return FederatedCox(
        coefficients, new_beta, var, fit.loglik0, fit.loglik,
        likelihood_ratio=test(2 * (fit.loglik - fit.loglik0)),
        wald=test(float(new_beta @ np.linalg.solve(var, new_beta))),
        score=test(fit.score_test), iterations=fit.iterations, converged=fit.converged, reference=ref, ties=ties,
    )
