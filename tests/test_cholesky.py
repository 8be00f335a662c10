"""netpet.analysis.survival.cholesky is R survival's cholesky2/chsolve2/chinv2: the inverse and solve of a full-rank
matrix,
and on a singular one the redundant column, the generalised solve and the Wald test of R's coxph.wtest."""

from __future__ import annotations

import json

import numpy as np
import pytest

from netpet.analysis.survival.cholesky import chinv2, cholesky2, chsolve2, wald_statistic
from tests.edge_fixtures import EDGES


def test_full_rank_inverse_and_solve_equal_numpys() -> None:
    rng = np.random.default_rng(11)
    a = rng.normal(size=(6, 6))
    matrix = a @ a.T + np.eye(6)
    chol = cholesky2(matrix)
    assert chol.rank == 6
    np.testing.assert_allclose(chinv2(chol), np.linalg.inv(matrix), rtol=1e-9)
    np.testing.assert_allclose(chsolve2(chol, np.arange(6.0)), np.linalg.solve(matrix, np.arange(6.0)), rtol=1e-9)


def test_singular_matrix_gives_rs_coxph_wtest() -> None:
    """R: survival:::coxph.wtest(crossprod(x), 1:4, .Machine$double.eps^0.75), column 3 = 2 col 1 + col 2."""
    case = json.loads((EDGES / "cases.json").read_text(encoding="utf-8"))["wtest_singular"]
    x, r = np.array(case["data"]["x"]), case["output"]
    matrix, b = x.T @ x, np.array([1.0, 2, 3, 4])
    chol = cholesky2(matrix)
    assert chol.redundant.tolist() == [False, False, True, False]
    np.testing.assert_allclose(chsolve2(chol, b), r["solve"], rtol=1e-9, atol=1e-15)
    assert wald_statistic(matrix, b) == pytest.approx((r["test"], r["df"]), rel=1e-9)
    inverse = chinv2(chol)
    assert not inverse[2].any()
    assert not inverse[:, 2].any()
    kept = [0, 1, 3]
    np.testing.assert_allclose(inverse[np.ix_(kept, kept)], np.linalg.inv(matrix[np.ix_(kept, kept)]), rtol=1e-9)


def test_a_zero_matrix_has_rank_zero_and_a_zero_solution() -> None:
    chol = cholesky2(np.zeros((2, 2)))
    assert chol.rank == 0
    assert chsolve2(chol, np.array([1.0, 2.0])).tolist() == [0.0, 0.0]
