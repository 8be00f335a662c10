"""R's Newton-Raphson for a Cox partial likelihood (coxfit6, or agfit4 for counting-process data), written once.

Any function giving the log partial likelihood, its gradient and the information at beta can be maximised:
`netpet.analysis.survival.cox` passes the risk sets of the rows; the pooled site-stratified Cox of
`netpet.analysis.studies.federation` passes the sum of every site's terms, computed from counts alone. The
steps, the step-halving, the stopping rule (relative change in the log-likelihood < 1e-9, at most 20
iterations) and cholesky2's handling of aliased columns are therefore R's in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from netpet.analysis.survival.cholesky import Cholesky, chinv2, cholesky2, chsolve2

EPS = 1e-9  # coxph.control(eps)
MAX_ITER = 20  # coxph.control(iter.max)

#: beta -> (log-likelihood, gradient, information)
Objective = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class NewtonFit:
    """Where the iterations stopped: beta, the (generalised) inverse information, logliks, the score test at 0."""

    beta: np.ndarray
    var: np.ndarray
    u: np.ndarray
    loglik0: float
    loglik: float
    score_test: float
    iterations: int
    converged: bool
    aliased: np.ndarray


def _scaled(objective: Objective, scale: np.ndarray, beta: np.ndarray) -> tuple[float, np.ndarray, Cholesky, bool]:
    """Return loglik, score and the cholesky2 factor of the information in R's scaled coordinates, and
    whether all of them are finite (R halves the step otherwise)."""
    loglik, u, info = objective(beta)
    u, info = u * scale, info * np.outer(scale, scale)
    finite = bool(np.isfinite(loglik) and np.all(np.isfinite(u)) and np.all(np.isfinite(info)))
    return loglik, u, cholesky2(info) if finite else cholesky2(np.nan_to_num(info)), finite


def newton_raphson(
    objective: Objective, p: int, scale: np.ndarray | None = None, *, counting: bool = False
) -> NewtonFit:
    """Maximise a partial likelihood as R's coxfit6 (or agfit4 when `counting`) from beta = 0.

    `objective(beta)` returns the log-likelihood, its gradient and the information at beta.

    As R: the columns are scaled by `scale` (R: n / sum |x - mean|; 1 for -1/0/1 columns), every step is
    solved with cholesky2 (aliased columns get a zero step and a zero row in the inverse), the step is
    shrunk toward the last good beta when the likelihood falls or turns non-finite, and a run out of
    iterations returns coxfit6's last good beta or, for agfit4, the last try unless it was worse.
    """
    scale = np.ones(p) if scale is None else scale
    beta = np.zeros(p)
    loglik0, u, chol, _ = _scaled(objective, scale, beta)
    rank = chol.rank
    step = chsolve2(chol, u)
    score_test = float(u @ step)
    new_beta, best, halving = beta + scale * step, loglik0, 0
    converged = False
    iteration = 0
    for iteration in range(1, MAX_ITER + 1):
        new_loglik, u, chol, finite = _scaled(objective, scale, new_beta)
        fail = not finite or (counting and chol.rank != rank)
        with np.errstate(divide="ignore", invalid="ignore"):  # R's test: a loglik of 0 never converges
            change = abs(1 - np.float64(best) / new_loglik)
        if not fail and change <= EPS and not (counting and halving):
            converged = True
            break
        if iteration == MAX_ITER:
            with np.errstate(divide="ignore", invalid="ignore"):  # as agfit4's C: a best loglik of 0 is no error
                worse = bool(np.float64(new_loglik - best) / abs(best) < -EPS)
            if not counting or worse:
                new_beta = beta  # the last good beta
                new_loglik, u, chol, _ = _scaled(objective, scale, new_beta)
            break
        if fail or new_loglik < best:
            halving += 1
            new_beta = (new_beta + halving * beta) / (halving + 1)
        else:
            halving, best, beta = 0, new_loglik, new_beta
            new_beta = new_beta + scale * chsolve2(chol, u)
    var = chinv2(chol) * np.outer(scale, scale)
    # R's which.sing: agfit4 reports the first rank; coxfit6 the last one, and 1000 when out of iterations.
    singular = rank < p if counting else converged and chol.rank < p
    aliased = (np.diag(var) == 0) & singular
    return NewtonFit(beta=new_beta, var=var, u=u / scale, loglik0=loglik0, loglik=new_loglik, score_test=score_test,
                     iterations=iteration, converged=converged, aliased=aliased)
