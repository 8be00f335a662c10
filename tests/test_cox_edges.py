"""netpet.analysis.survival.cox at the edges agrees with R's coxph (survival 3.5-3): aliased columns, a singular robust
variance, strata of one subject, near-equal times, bad event codes and fits that cannot be finite.

R's calls and outputs are in tests/reference/edges/cases.json (make_reference.R beside it).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.cox_analysis import cox_concordance
from netpet.analysis.survival.cox import CoxConvergenceWarning, _check_finite, cox_coefficients, fit_cox
from netpet.analysis.survival.newton import NewtonFit
from netpet.analysis.survival.phtest import ph_test
from netpet.analysis.survival.usable_rows import usable_rows
from tests.edge_fixtures import edge_case, read_edges_csv

REL = 1e-6


def r_coef(values: float | list[float | None]) -> np.ndarray:
    values = values if isinstance(values, list) else [values]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def test_collinear_and_constant_columns_are_not_estimable_as_in_r() -> None:
    """R: coxph(Surv(time, event) ~ x1 + x2 + k) with x2 = 2 x1 and k constant gives NA for x2 and k."""
    data, r, _ = edge_case("aliased_columns")
    result = fit_cox(data, terms=["x1", "x2", "k"])
    np.testing.assert_allclose(result.coef, r_coef(r["coef"]), rtol=REL)
    np.testing.assert_allclose(result.var, np.array(r["var"]), rtol=REL, atol=1e-12)
    assert (result.likelihood_ratio.chisq, result.likelihood_ratio.df) == pytest.approx(r["lr"][:2], rel=REL)
    assert (result.wald.chisq, result.wald.df) == pytest.approx((r["wald_test"], r["wald"][1]), rel=REL)
    assert (result.score.chisq, result.score.df) == pytest.approx(r["score"][:2], rel=REL)
    assert any("Not estimable" in note and "x2, k" in note for note in result.notes)
    table = cox_coefficients(result)
    assert table.filter(pl.col("term") != "x1").select(pl.col("coef", "se").is_nan().all()).row(0) == (True, True)


@pytest.mark.parametrize(
    ("case", "terms", "options"),
    [
        ("lung_collinear", ["age", "age2", "sex", "ecog"], {}),
        ("lung_collinear_breslow_robust", ["age", "sex", "age2", "ecog"], {"ties": "breslow", "robust": True}),
    ],
)
def test_an_aliased_column_leaves_the_other_estimates_and_every_df_as_r(
    case: str, terms: list[str], options: dict[str, object]
) -> None:
    """R: coxph(Surv(time, event) ~ age + age2 + sex + ecog, lung) with age2 = 2 age (and a robust Breslow
    fit); the tests, the concordance and cox.zph (aliased column left out) as R's."""
    data, r, _ = edge_case(case)
    result = fit_cox(data, terms=terms, **options)  # type: ignore[arg-type]
    np.testing.assert_allclose(result.coef, r_coef(r["coef"]), rtol=REL)
    np.testing.assert_allclose(result.var, np.array(r["var"]), rtol=REL, atol=1e-15)
    assert result.wald.chisq == pytest.approx(r["wald_test"], rel=REL)
    for test, name in ((result.likelihood_ratio, "lr"), (result.wald, "wald"), (result.score, "score")):
        assert test.df == r[name][1]
    if r["robust_score"] is not None:
        assert result.robust_score is not None
        assert (result.robust_score.chisq, result.robust_score.df) == pytest.approx(r["robust_score"][:2], rel=REL)
    assert cox_concordance(result) == pytest.approx(r["concordance"], rel=REL)
    zph = ph_test(result)
    assert zph["term"].to_list() == r["zph"]["terms"]
    np.testing.assert_allclose(zph.select("chisq", "df", "p").to_numpy(), np.array(r["zph"]["table"]), rtol=REL)


def test_robust_variance_from_fewer_clusters_than_coefficients_uses_r_generalised_inverse() -> None:
    """R: coxph(..., cluster = site) with 3 sites and 5 coefficients: fit$wald.test from coxph.wtest's
    generalised inverse (11.18), whose rank (2) is the df here; never a negative chi-square."""
    data, r, _ = edge_case("robust_three_clusters")
    result = fit_cox(data, terms=["x1", "x2", "x3", "x4", "x5"], cluster="site")
    np.testing.assert_allclose(result.coef, r_coef(r["coef"]), rtol=REL)
    np.testing.assert_allclose(result.var, np.array(r["var"]), rtol=REL)
    assert result.wald.chisq == pytest.approx(r["wald_test"], rel=REL)
    assert result.wald.df == r["wald_rank"] == 2
    assert result.robust_score is not None
    assert result.robust_score.chisq == pytest.approx(r["robust_score"][0], rel=REL)
    assert result.robust_score.chisq >= 0
    assert any("3 clusters for 5 coefficients" in note for note in result.notes)


def test_strata_of_one_subject_give_zero_variance_nan_wald_and_rs_warning() -> None:
    """R: coxph(Surv(time, event) ~ x + strata(s)) with one subject per stratum: coef 0, var 0, Wald NaN,
    and the warning 'Ran out of iterations and did not converge'."""
    data, r, r_warnings = edge_case("strata_of_one")
    with pytest.warns(CoxConvergenceWarning, match="did not converge"):
        result = fit_cox(data, terms=["x"], strata="s")
    assert r_warnings == ["Ran out of iterations and did not converge"]
    assert result.coef.tolist() == [r["coef"]] == [0.0]
    assert result.var.tolist() == r["var"] == [[0.0]]
    assert np.isnan(result.wald.chisq)
    assert r["wald"][0] is None
    assert (result.likelihood_ratio.chisq, result.likelihood_ratio.df) == (0.0, 1)
    assert any("did not converge" in note for note in result.notes)


def test_strata_of_one_subject_have_no_ph_test_as_r() -> None:
    """Each one-subject risk set's variance is exactly 0 when its stratum's sums start from 0, as R's do."""
    data, r, _ = edge_case("strata_of_one")
    with pytest.warns(CoxConvergenceWarning):
        result = fit_cox(data, terms=["x"], strata="s")
    assert r["zph"] is None  # R's cox.zph stops: "system is exactly singular"
    with pytest.raises(AnalysisError, match="singular"):
        ph_test(result)


def test_near_equal_times_are_tied_in_cox_as_r_aeqsurv() -> None:
    """R: coxph(Surv(time, event) ~ x) where 1 and 1 + 1e-10 are one time."""
    data, r, _ = edge_case("near_equal_times")
    result = fit_cox(data, terms=["x"])
    assert result.coef[0] == pytest.approx(r["coef"], rel=REL)
    assert result.loglik == pytest.approx(r["loglik"][1], rel=REL)


def test_an_interval_shorter_than_the_timefix_tolerance_is_refused_as_r() -> None:
    """R: coxph(Surv(entry, time, event) ~ x) with the interval (1, 1 + 1e-10] stops (aeqSurv exception)."""
    data, r, _ = edge_case("tiny_interval")
    assert "effective length 0" in r["error"]
    with pytest.raises(AnalysisError, match=r"\(1, 1.0000000001\] has effective length 0"):
        fit_cox(data, terms=["x"])


def test_cgd_counting_process_fit_with_clusters_matches_r() -> None:
    """R: coxph(Surv(tstart, tstop, status) ~ treat + inherit + steroids, cgd, cluster = id): the
    concordance was 7e-3 off before the pair counts were fixed."""
    _, r, _ = edge_case("cgd_cluster")
    cgd = read_edges_csv("cgd.csv").rename({"tstart": "entry", "tstop": "time", "status": "event"})
    result = fit_cox(cgd, terms=["treat", "inherit", "steroids"], cluster="id",
                     levels={"inherit": ["X-linked", "autosomal"]})
    np.testing.assert_allclose(result.coef, r_coef(r["coef"]), rtol=REL)
    np.testing.assert_allclose(result.var, np.array(r["var"]), rtol=REL)
    assert result.wald.chisq == pytest.approx(r["wald_test"], rel=REL)
    assert result.robust_score is not None
    assert result.robust_score.chisq == pytest.approx(r["robust_score"][0], rel=REL)
    assert cox_concordance(result) == pytest.approx(r["concordance"], rel=REL)


def test_cox_concordance_of_the_issue_example_matches_r() -> None:
    """R: coxph(Surv(time, event) ~ x)$concordance = 0.5 (SE 0.102); it was 0.458 (SE 0.165)."""
    data, r, _ = edge_case("cox_concordance_issue")
    result = fit_cox(data, terms=["x"])
    assert result.coef[0] == pytest.approx(r["coef"], rel=REL)
    assert cox_concordance(result) == pytest.approx(r["concordance"], rel=REL)


def test_missing_event_and_group_rows_are_left_out_as_r_na_omit() -> None:
    """R: coxph(Surv(time, event) ~ group) on rows with a missing event and a missing group."""
    data, r, _ = edge_case("coxph_missing")
    result = fit_cox(data, terms=["group"])
    assert result.coef[0] == pytest.approx(r["coef"], rel=REL)
    assert result.n == 14
    assert result.notes == ["2 rows with missing values left out"]


def test_complete_rows_are_kept_without_a_query_over_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing missing, the usual case: polars' null counts and one NaN scan per float column decide it,
    with no DataFrame query (issue 21: a millisecond of a 10,000-row fit); a NaN or a null is still found."""
    data = pl.DataFrame({"time": [1.0, 2, 3], "event": [1, 0, 1], "x": [0.5, 1.0, 2.0], "g": ["a", "b", "a"]})
    used = ["time", "event", "x", "g"]

    def no_query(*args: object, **kwargs: object) -> None:
        raise AssertionError("a query over the rows")

    with monkeypatch.context() as patch:
        patch.setattr(pl.DataFrame, "select", no_query)
        kept, notes = usable_rows(data, used)
    assert kept is data
    assert notes == []
    nan_x, null_g = pl.Series([0.5, float("nan"), 2.0]), pl.Series(["a", None, "a"])
    for holed in (data.with_columns(x=nan_x), data.with_columns(g=null_g)):
        kept, notes = usable_rows(holed, used)
        assert kept.height == 2
        assert notes == ["1 row with missing values left out"]


@pytest.mark.parametrize("codes", [[1, 2, 1, 2, 1, 1], [0, 1, 2, 0, 1, 0], [1.0, 0.5, 0.0, 1.0, 0.0, 1.0]])
def test_event_codes_other_than_zero_and_one_are_refused(codes: list[float]) -> None:
    data = pl.DataFrame({"time": [1.0, 2, 3, 4, 5, 6], "event": codes, "x": [0.5, 1, 0.1, 0.7, 0.2, 0]})
    with pytest.raises(AnalysisError, match=r"event must be 0 or 1 .* row \d has"):
        fit_cox(data, terms=["x"])


def test_boolean_events_are_accepted() -> None:
    data = pl.DataFrame({"time": [1.0, 2, 3, 4, 5, 6], "event": [True, True, False, True, True, False],
                         "x": [0.5, 1, 0.1, 0.7, 0.2, 0]})
    as_int = data.with_columns(pl.col("event").cast(pl.Int64))
    assert fit_cox(data, terms=["x"]).coef == pytest.approx(fit_cox(as_int, terms=["x"]).coef)


def test_empty_entry_intervals_are_left_out_and_counted() -> None:
    """R's Surv(entry, time, event) makes an interval with entry >= time NA, and coxph drops the row."""
    data = pl.DataFrame({"entry": [0.0, 1, 2, 0, 1, 3, 4], "time": [1.0, 3, 3, 2, 3, 4, 4],
                         "event": [1, 1, 0, 1, 1, 0, 1], "x": [1.0, 2, 3, 1, 5, 2, 7]})
    result = fit_cox(data, terms=["x"])
    kept = fit_cox(data.head(6), terms=["x"])
    assert result.n == 6
    assert result.coef == pytest.approx(kept.coef, rel=1e-12)
    assert "1 row with entry not before time (R's Surv makes them NA) left out" in result.notes


def test_an_infinite_covariate_is_refused_as_r() -> None:
    """R: coxph(Surv(time, event) ~ x) with an Inf in x stops: 'data contains an infinite predictor'."""
    data = pl.DataFrame({"time": [1.0, 2, 3, 4], "event": [1, 1, 1, 0], "x": [1.0, np.inf, 2.0, 0.0]})
    with pytest.raises(AnalysisError, match="column x: an infinite value"):
        fit_cox(data, terms=["x"])


def test_a_non_finite_estimate_is_refused_naming_the_likely_causes() -> None:
    """agfit4 can keep a last step that overflowed (R's agreg.fit then stops with 'numeric overflow')."""
    fit = NewtonFit(beta=np.array([0.3, np.inf]), var=np.zeros((2, 2)), u=np.zeros(2), loglik0=-4.0, loglik=-3.0,
                    score_test=0.0, iterations=20, converged=False, aliased=np.array([False, False]))
    with pytest.raises(AnalysisError, match=r"coefficient of b: likely causes are separation .* too few events"):
        _check_finite(fit, ["a", "b"], 4)


@pytest.mark.parametrize("name", ["strata_monotone_4", "strata_monotone_6"])
def test_a_coefficient_heading_to_infinity_within_strata_runs_out_of_iterations_as_r(name: str) -> None:
    """R: coxph(Surv(time, event) ~ x1 + x2 + strata(s)) warns and stops at its iteration limit, log-likelihood
    just below 0; summing every stratum from one running total once made ours stop early with it above 0."""
    data, r, r_warnings = edge_case(name)
    with pytest.warns(CoxConvergenceWarning, match="Ran out of iterations"):
        result = fit_cox(data, terms=["x1", "x2"], strata="s")
    assert r_warnings == ["Ran out of iterations and did not converge"]
    assert -1e-6 < result.loglik <= 0
    assert -1e-6 < r["loglik"][1] <= 0
    assert result.loglik_null == pytest.approx(r["loglik"][0], rel=REL)
    assert result.likelihood_ratio.chisq == pytest.approx(r["lr"][0], rel=REL)
    assert not np.isnan(result.coef).any()  # neither column is taken for aliased, as in R
