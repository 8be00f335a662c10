"""R survival's singular-tolerant Cholesky (cholesky2, chsolve2, chinv2) and the Wald test built on it.

R's coxph solves every Newton step, inverts the information and computes its Wald tests with these:
a column whose pivot falls below `toler` times the largest diagonal is redundant (aliased) and gets a zero
solution and a zero row and column in the inverse. numpy's solve/inv either fail or return noise on such
matrices, and pinv decides rank by singular values rather than in column order, so the aliased column would
not be the one R reports; hence this port. The matrices are p x p (p = model columns), so plain loops do.
"""

from __future__ import annotations

import math
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
    # Python floats: the same IEEE arithmetic as numpy's scalars, a third of the time for the small
    # matrices of a Cox fit (issue 21)
    source = np.asarray(matrix, dtype=float).tolist()
    n = len(source)
    rows = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):  # R reads the upper triangle; + 0.0 turns -0.0 into 0.0, as numpy's triu sum did
            rows[i][j] = rows[j][i] = source[i][j] + 0.0
    largest = max([0.0, *(rows[i][i] for i in range(n) if math.isfinite(rows[i][i]))])
    eps = toler if largest <= 0 else largest * toler
    rank = 0
    for i in range(n):
        pivot = rows[i][i]
        if not math.isfinite(pivot) or pivot < eps:
            rows[i][i] = 0.0
            continue
        rank += 1
        for j in range(i + 1, n):
            temp = rows[j][i] / pivot
            rows[j][i] = temp
            rows[j][j] -= temp * temp * pivot
            for k in range(j + 1, n):
                rows[k][j] -= temp * rows[k][i]
    return Cholesky(np.array(rows, dtype=float).reshape(n, n), rank)


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
