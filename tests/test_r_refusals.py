"""Where R's survival stops, the engine refuses too (issue 15, from the randomized cross-check).

Each case gives the R call (survival 3.5-3) and what R printed; the random sets of tests/test_r_random.py
check the same on hundreds of data sets.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.cox_analysis import cox_summary
from netpet.analysis.survival.concordance import concordance_index
from netpet.analysis.survival.cox import CoxConvergenceWarning, fit_cox
from netpet.analysis.survival.phtest import ph_test, solve_as_r

#: d <- data.frame(time = c(1, 1, 2, 3, 4), event = c(1, 1, 0, 0, 0), x = c(0, 1, 1, 0, 2))
ONE_EVENT_TIME = pl.DataFrame({"time": [1.0, 1, 2, 3, 4], "event": [1, 1, 0, 0, 0], "x": [0.0, 1, 1, 0, 2]})
#: Random set 26: (entry, time] rows, one event, both covariates aliased once the empty intervals are dropped.
SET_26 = pl.DataFrame({"entry": [4.0, 0, 3, 2], "time": [10.0, 1, 5, 6], "event": [1, 0, 0, 0],
                       "x1": [0.0, 0, 1, 1], "x2": [-0.709, -0.732, 0.271, 2.575]})


def test_ph_test_of_events_at_one_time_is_refused_as_r() -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ x, d)) stops: 'Lapack routine dgesv: system is exactly singular:
    U[2,2] = 0' (every event at one time: g(t) is constant, its block of the information is 0)."""
    fit = fit_cox(ONE_EVENT_TIME, terms=["x"])
    assert fit.coef[0] == pytest.approx(-0.6486813, rel=1e-6)  # R: coef(f)
    with pytest.raises(AnalysisError, match=r"exactly singular: U\[2,2\] = 0"):
        ph_test(fit)


def test_the_cox_summary_says_why_there_is_no_ph_test() -> None:
    summary = cox_summary(fit_cox(ONE_EVENT_TIME, terms=["x"]))
    assert summary.ph_test == ()
    assert any("PH test of x is not defined" in note for note in summary.notes)


def test_a_fit_out_of_iterations_with_a_zero_loglik_is_not_a_crash() -> None:
    """R: coxph(Surv(entry, time, event) ~ x1 + x2, d26) warns 'Ran out of iterations and did not converge',
    coefficients NA NA, loglik 0 0; cox.zph(f) stops ('subscript out of bounds'). Our agfit4 port divided
    by the best loglik (0) at the iteration limit."""
    with pytest.warns(CoxConvergenceWarning, match="did not converge"):
        fit = fit_cox(SET_26, terms=["x1", "x2"])
    assert (fit.loglik_null, fit.loglik) == (0.0, 0.0)
    assert not fit.converged
    with pytest.raises(AnalysisError, match="every coefficient of the model is aliased"):
        ph_test(fit)


def test_a_concordance_of_one_row_is_refused_as_r() -> None:
    """R: concordance(Surv(time, event) ~ x, d[1, ]) stops: "'x' must be an array of at least two dimensions"."""
    with pytest.raises(AnalysisError, match="1 row"):
        concordance_index(np.array([1.0]), np.array([1]), np.array([0.0]))
    with pytest.raises(AnalysisError, match="1 row"):  # two rows, one an empty (entry, time] interval
        concordance_index(np.array([1.0, 2.0]), np.array([1, 1]), np.array([0.0, 1.0]),
                          entry=np.array([0.0, 2.0]))


def test_solve_as_r_refuses_what_r_solve_refuses() -> None:
    """R: solve(matrix(1, 2, 2), c(1, 1)): 'Lapack routine dgesv: system is exactly singular: U[2,2] = 0';
    solve(diag(c(1, 1e-17)), c(1, 1)): 'system is computationally singular: reciprocal condition number = 1e-17'."""
    with pytest.raises(AnalysisError, match=r"exactly singular: U\[2,2\] = 0"):
        solve_as_r(np.ones((2, 2)), np.ones(2), what="this")
    with pytest.raises(AnalysisError, match="computationally singular: reciprocal condition number = 1e-17"):
        solve_as_r(np.diag([1.0, 1e-17]), np.ones(2), what="this")
    assert solve_as_r(np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([3.0, 4.0]), what="this") == pytest.approx([1, 1])
