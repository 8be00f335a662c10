"""Predicted survival S(t | x_i) of each patient of a fitted Cox model, for calibration.

As R's ``survfit(coxph_fit, newdata = data)`` for the patients the model was fitted on: the baseline
cumulative hazard has, at each event time of a stratum, the increment sum_k 1 / (S0 - k/d S0_dead) over
its d tied deaths (Efron, R's default for an Efron fit) or d / S0 (Breslow); then
S_i(t) = exp(-H0(t) exp(eta_i)) in the patient's own stratum, with H0 and eta on the same centring. The
risk-set sums come from `netpet.analysis.survival.risksets`, the fit from `netpet.analysis.survival.cox`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from netpet.analysis.survival.cox import CoxResult
from netpet.analysis.survival.risksets import _group_sums_at, _risk, fix_times


def _baseline_increments(result: CoxResult) -> tuple[np.ndarray, np.ndarray]:
    """Return per event group (stratum x event time) the hazard increment at risk exp(eta - shift)."""
    rs = result.risk_sets
    _, risk, _ = _risk(rs, result.coef)
    at_risk, dying = _group_sums_at(rs, risk)
    group = rs.death_group
    denominators = at_risk[group, 0] - rs.frac * dying[group, 0]
    return np.bincount(group, weights=1.0 / denominators, minlength=rs.group_size.size), risk


def cox_predicted_survival(result: CoxResult, times: Sequence[float] | np.ndarray) -> np.ndarray:
    """Return S(t | x_i) for every patient of the fit (rows, in the fit's row order) at `times` (columns).

    R: ``summary(survfit(fit, newdata = data), times = times, extend = TRUE)$surv``, one column per
    patient there. A time before the first event gives 1; after the last one the curve stays flat.
    """
    times = np.asarray(times, dtype=float)
    rs = result.risk_sets
    increments, risk = _baseline_increments(result)
    stratum = np.zeros(result.n, dtype=np.int64) if result.strata is None else result.strata
    values = result.time if result.entry is None else np.concatenate([result.entry, result.time])
    unique = np.unique(fix_times(values.astype(float)))
    group_time = unique[rs.group_rank]
    group_stratum = stratum[rs.death_rows[rs.group_first]]
    hazard = np.zeros((result.n, times.size))
    for code in np.unique(stratum):
        mine = group_stratum == code
        cumulative = np.concatenate([[0.0], np.cumsum(increments[mine])])
        # groups of a stratum are in time order; count those at or before each requested time
        upto = np.searchsorted(group_time[mine], times, side="right")
        rows = stratum == code
        hazard[rows] = np.outer(risk[rows], cumulative[upto])
    return np.exp(-hazard)
