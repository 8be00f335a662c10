"""The proportional-hazards test of a Cox model, as R's ``cox.zph(fit, transform = "km", terms = TRUE)``.

Since survival 3.0, cox.zph is the exact score test of adding X * g(t) to the model, at the fitted beta
and gamma = 0, with g(t) = 1 - KM(t-) of all rows pooled, centred at its mean over the events. A term
with k columns (a k-level factor) is one test on k - 1 df, and GLOBAL tests all columns together.
lifelines' `proportional_hazard_test` still uses the older Grambsch-Therneau approximation (rank
transform, per column, no global row), so its numbers differ from R's; hence this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.risksets import RiskSets, group_terms

if TYPE_CHECKING:
    from netpet.analysis.survival.cox import CoxResult


def _km_transform(rs: RiskSets) -> np.ndarray:
    """Return 1 - KM(t-) at each event group's time, the KM pooling every row (R: survfitKM on fit$y)."""
    n = rs.event.size
    size = int(rs.time_rank.max()) + 1  # entry < time, so no entry rank is larger

    def count_below(ranks: np.ndarray) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(np.bincount(ranks, minlength=size))[:-1]])

    entered = n if rs.entry_rank is None else count_below(rs.entry_rank)
    at_risk = entered - count_below(rs.time_rank)  # entry < t <= time
    deaths = np.bincount(rs.time_rank[rs.event], minlength=size)
    factor = 1 - deaths / np.maximum(at_risk, 1)
    before = np.concatenate([[1.0], np.cumprod(factor)[:-1]])
    return 1 - before[rs.group_rank]


def ph_test(result: CoxResult) -> pl.DataFrame:
    """Return the PH test per term and GLOBAL: term, chisq, df, p (R's cox.zph table).

    Parameters
    ----------
    result : CoxResult
        A model from `netpet.analysis.survival.cox.fit_cox`.

    Returns
    -------
    polars.DataFrame
        One row per term, then GLOBAL; aliased (NaN) coefficients are left out, as R's cox.zph does.

    Raises
    ------
    AnalysisError
        Where R's cox.zph stops: no estimable coefficient, or an information matrix R's ``solve()`` finds
        singular (exactly, or a reciprocal condition number below machine epsilon), e.g. when every event
        falls at one time, so that g(t) is constant.
    """
    from scipy.special import chdtrc

    rs = result.risk_sets
    keep = np.flatnonzero(~np.isnan(result.coef))  # R drops aliased (NA) coefficients first
    if keep.size == 0:
        raise AnalysisError("no PH test: every coefficient of the model is aliased (NA); R's cox.zph stops too")
    terms = group_terms(rs, np.nan_to_num(result.coef))
    cov = unpack_rows(terms.information, rs.p)[:, keep][:, :, keep]
    schoenfeld, p = terms.schoenfeld[:, keep], keep.size
    g = _km_transform(rs)
    g = g - np.sum(g * rs.group_size) / rs.group_size.sum()
    u = np.concatenate([np.zeros(p), g @ schoenfeld])
    i12 = np.einsum("g,gab->ab", g, cov)
    imat = np.block([[cov.sum(axis=0), i12], [i12, np.einsum("g,gab->ab", g * g, cov)]])

    rows = []
    position = {int(column): k for k, column in enumerate(keep)}
    for term, columns in [*result.assign.items(), ("GLOBAL", keep.tolist())]:
        cols = [position[c] for c in columns if c in position]
        if not cols:
            continue
        chosen = [*range(p), *(p + c for c in cols)]
        uk = u[chosen]
        stat = float(uk @ solve_as_r(imat[np.ix_(chosen, chosen)], uk, what=f"the PH test of {term}"))
        rows.append((term, stat, len(cols), float(chdtrc(len(cols), stat))))
    return pl.DataFrame(rows, schema=["term", "chisq", "df", "p"], orient="row")


def solve_as_r(a: np.ndarray, b: np.ndarray, *, what: str) -> np.ndarray:
    """Solve a x = b as R's ``solve()`` (LAPACK dgesv, then dgecon): refuse, naming R's error, where the
    LU factor has an exact zero pivot or the reciprocal condition number is below machine epsilon."""
    from scipy.linalg import lapack

    lu, pivots, info = lapack.dgetrf(a)
    if info > 0:
        raise AnalysisError(f"{what} is not defined: its information matrix is singular (R: 'Lapack routine "
                            f"dgesv: system is exactly singular: U[{info},{info}] = 0')")
    rcond, _ = lapack.dgecon(lu, float(np.abs(a).sum(axis=0).max()), norm="1")
    if rcond < np.finfo(float).eps:
        raise AnalysisError(f"{what} is not defined: its information matrix is singular (R: 'system is "
                            f"computationally singular: reciprocal condition number = {rcond:.6g}')")
    x, _ = lapack.dgetrs(lu, pivots, b)
    return np.asarray(x)


def unpack_rows(packed: np.ndarray, p: int) -> np.ndarray:
    """Unpack each row of packed upper triangles into a stack of symmetric p x p matrices."""
    out = np.zeros((packed.shape[0], p, p))
    ia, ib = np.triu_indices(p)
    out[:, ia, ib] = packed
    out[:, ib, ia] = packed
    return out
