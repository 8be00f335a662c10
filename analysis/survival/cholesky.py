"""R survival's singular-tolerant Cholesky (cholesky2, chsolve2, chinv2) and the Wald test built on it.

R's coxph solves every Newton step, inverts the information and computes its Wald tests with these:
a column whose pivot falls below `toler` times the largest diagonal is redundant (aliased) and gets a zero
solution and a zero row and column in the inverse. numpy's solve/inv either fail or return noise on such
matrices, and pinv decides rank by singular values rather than in column order, so the aliased column would
not be the one R reports; hence this port. The matrices are p x p (p = model columns), so plain loops do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: coxph.control(toler.chol): .Machine$double.eps^0.75.
TOLER_CHOL = float(np.finfo(float).eps) ** 0.75


@dataclass(frozen=True)
class Cholesky:
    """The FDF' factor of a symmetric matrix (F unit lower triangular in `factor`, D on its diagonal)."""

    factor: np.ndarray
    rank: int

    @property
    def redundant(self) -> np.ndarray:
        """Columns judged redundant: a zero pivot."""
        return np.diag(self.factor) == 0


def cholesky2(matrix: np.ndarray, toler: float = TOLER_CHOL) -> Cholesky:
    """Factor `matrix` as R's cholesky2: pivots below toler x (largest diagonal) are set to zero."""
    a = np.array(matrix, dtype=float)
    n = a.shape[0]
    a = np.triu(a) + np.triu(a, 1).T  # R reads the upper triangle
    diagonal = np.diag(a)
    largest = float(np.max(diagonal, initial=0.0, where=np.isfinite(diagonal)))
    eps = toler if largest <= 0 else largest * toler
    rank = 0
    for i in range(n):
        pivot = a[i, i]
        if not np.isfinite(pivot) or pivot < eps:
            a[i, i] = 0.0
            continue
        rank += 1
        for j in range(i + 1, n):
            temp = a[j, i] / pivot
            a[j, i] = temp
            a[j, j] -= temp * temp * pivot
            a[j + 1 :, j] -= temp * a[j + 1 :, i]
    return Cholesky(a, rank)


def chsolve2(chol: Cholesky, y: np.ndarray) -> np.ndarray:
    """Solve A b = y from A's cholesky2 factor; redundant columns get b = 0 (R's chsolve2)."""
    a = chol.factor
    n = a.shape[0]
    b = np.array(y, dtype=float)
    for i in range(n):
        b[i] -= b[:i] @ a[i, :i]
    for i in range(n - 1, -1, -1):
        b[i] = 0.0 if a[i, i] == 0 else b[i] / a[i, i] - b[i + 1 :] @ a[i + 1 :, i]
    return b


def chinv2(chol: Cholesky) -> np.ndarray:
    """Return the (generalised) inverse from a cholesky2 factor: zero rows/columns where redundant."""
    a = chol.factor.copy()
    n = a.shape[0]
    for i in range(n):
        if a[i, i] > 0:
            a[i, i] = 1 / a[i, i]
            for j in range(i + 1, n):
                a[j, i] = -a[j, i]
                a[j, :i] += a[j, i] * a[i, :i]
    for i in range(n):
        if a[i, i] == 0:
            a[:i, i] = 0.0
            a[i, i:] = 0.0
            continue
        for j in range(i + 1, n):
            temp = a[j, i] * a[j, j]
            a[i, j] = temp
            a[i, i:j] += temp * a[j, i:j]
    upper = np.triu(a)
    return upper + np.triu(upper, 1).T


def wald_statistic(var: np.ndarray, b: np.ndarray, toler: float = TOLER_CHOL) -> tuple[float, int]:
    """Return b' var^- b and the rank of `var`, as R's coxph.wtest (a singular var is not an error)."""
    chol = cholesky2(var, toler)
    return float(b @ chsolve2(chol, b)), chol.rank
