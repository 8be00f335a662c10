"""Weibull scales for the demo cohort: a baseline hazard per NETPET group that keeps its published median.

Within a baseline group the demo's times follow a Weibull proportional-hazards model in covariates
(``S(t | x) = exp(-(t / scale) ** shape * exp(eta(x)))``), so the group's median depends on its covariate mix.
`calibrated_scales` solves, per group, for the scale that puts the large-sample Kaplan-Meier median of the
group on its target: the median of the covariate mixture, or, when a competing event censors the times (death
censors time to progression), the median that a Kaplan-Meier estimate converges to under that dependent
censoring. Independent censoring (loss to follow-up, the cut-off) does not move that limit, so it is left out.
The covariate mix is given as quadrature nodes (linear predictor and weight per node), so the result is exact
up to quadrature error and deterministic. The generator itself lives in `netpet.registry.demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

#: Gauss-Legendre nodes for the integral of the observed hazard up to the median.
_QUADRATURE_NODES = 24
#: Bisection steps on log(cumulative hazard at the median), from a bracket of width 60: error < 1e-13.
_BISECTION_STEPS = 50


def clipped_normal_nodes(mean: float, sd: float, low: float, high: float, nodes: int = 400) -> np.ndarray:
    """Equal-weight quadrature nodes of a normal clipped to [low, high]: its quantiles at (i + 0.5) / nodes.

    Examples
    --------
    >>> clipped_normal_nodes(60.0, 12.0, 20.0, 90.0, nodes=3).round(1).tolist()
    [48.4, 60.0, 71.6]
    """
    normal = NormalDist(mean, sd)
    quantiles = [normal.inv_cdf((i + 0.5) / nodes) for i in range(nodes)]
    return np.clip(np.array(quantiles), low, high)


def calibrated_scales(
    median: np.ndarray,
    shape: float,
    eta: np.ndarray,
    weight: np.ndarray,
    *,
    competing: tuple[np.ndarray, float, np.ndarray] | None = None,
) -> np.ndarray:
    """Weibull scale per group so that each group's Kaplan-Meier median equals `median`.

    Parameters
    ----------
    median
        Target median per group (any time unit; the scales come back in the same unit), shape ``(groups,)``.
    shape
        Weibull shape of the times.
    eta
        Linear predictor (log hazard ratio) at each covariate node, shape ``(groups, nodes)``.
    weight
        Weight of each node within its group (rows sum to 1), shape ``(groups, nodes)``.
    competing
        ``(scale, shape, eta)`` of a Weibull proportional-hazards event that censors these times (death
        censoring progression), on the same nodes; ``None`` when nothing dependent censors them.

    Returns
    -------
    numpy.ndarray
        Scale per group, shape ``(groups,)``.

    Examples
    --------
    >>> import numpy as np
    >>> scale = calibrated_scales(np.array([10.0]), 1.0, np.zeros((1, 1)), np.ones((1, 1)))
    >>> round(float(scale[0] * np.log(2)), 6)
    10.0
    """
    median = np.asarray(median, dtype=float)
    risk = np.exp(eta)
    if competing is None:
        # Without dependent censoring the limit is the mixture's own median: sum_j w_j exp(-c e^eta_j) = 1/2.
        def cumulative_hazard(c: np.ndarray) -> np.ndarray:
            return -np.log((weight * np.exp(-c[:, None] * risk)).sum(axis=1))
    else:
        v, v_weight = np.polynomial.legendre.leggauss(_QUADRATURE_NODES)
        v, v_weight = (v + 1) / 2, v_weight / 2  # on (0, 1), v = (t / median) ** shape
        other_scale, other_shape, other_eta = competing
        time = median[:, None] * v[None, :] ** (1 / shape)  # (groups, v)
        other = (time / other_scale[:, None])[:, None, :] ** other_shape * np.exp(other_eta)[:, :, None]

        def cumulative_hazard(c: np.ndarray) -> np.ndarray:
            return _observed_cumulative_hazard(c, risk[:, :, None], other, weight, (v, v_weight))

    low, high = np.full(len(median), -30.0), np.full(len(median), 30.0)
    for _ in range(_BISECTION_STEPS):
        mid = (low + high) / 2
        above = cumulative_hazard(np.exp(mid)) > np.log(2)
        high, low = np.where(above, mid, high), np.where(above, low, mid)
    return median / np.exp((low + high) / 2) ** (1 / shape)


def _observed_cumulative_hazard(
    c: np.ndarray, risk: np.ndarray, other: np.ndarray, weight: np.ndarray, rule: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Cumulative hazard among those still at risk, from 0 to the target median, per group.

    With ``c = (median / scale) ** shape`` and ``v = (t / median) ** shape``, node j's cumulative hazard
    is ``c v exp(eta_j)``; those at risk at v weigh ``weight_j exp(-c v exp(eta_j) - other_j(v))``, and
    the observed hazard per unit v is their weighted mean of ``c exp(eta_j)``: its integral over v in
    (0, 1) is minus the log of the Kaplan-Meier limit at the median.
    """
    v, v_weight = rule
    at_risk = weight[:, :, None] * np.exp(-c[:, None, None] * risk * v - other)
    hazard = c[:, None] * (at_risk * risk).sum(axis=1) / at_risk.sum(axis=1)
    return hazard @ v_weight


@dataclass(frozen=True)
class MixtureQuantiles:
    """The quantile function of each group's marginal Weibull distribution over its covariate mix.

    Tabulated once on a log-time grid (the mixture's cumulative hazard ``-log(sum_j w_j S_j(t))``) and
    inverted by linear interpolation in log-log scale, where it is smooth and nearly straight.
    """

    log_time: np.ndarray  # (groups, points)
    log_hazard: np.ndarray  # (groups, points), strictly increasing along each row

    @classmethod
    def tabulate(
        cls, scale: np.ndarray, shape: float, eta: np.ndarray, weight: np.ndarray, points: int = 400
    ) -> MixtureQuantiles:
        """Tabulate from 1e-6 to 30 times each group's scale (see `calibrated_scales` for the arguments)."""
        log_time = np.log(scale)[:, None] + np.linspace(np.log(1e-6), np.log(30.0), points)[None, :]
        hazard = np.exp(shape * (log_time - np.log(scale)[:, None]))  # (groups, points) at eta = 0
        survival = (weight[:, :, None] * np.exp(-hazard[:, None, :] * np.exp(eta)[:, :, None])).sum(axis=1)
        return cls(log_time, np.log(-np.log(survival)))

    def __call__(self, group: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Times at probabilities `u` (in (0, 1)) of the distributions of groups `group` (row indices)."""
        target = np.log(-np.log1p(-u))
        out = np.empty(len(u))
        for g in np.unique(group):
            idx = np.flatnonzero(group == g)
            out[idx] = np.exp(np.interp(target[idx], self.log_hazard[g], self.log_time[g]))
        return out
