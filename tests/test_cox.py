"""netpet.analysis.survival.cox agrees with R's coxph (survival 3.5.3) on public data, and handles the edge cases."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.cox import CoxConvergenceWarning, cox_coefficients, cox_tests, fit_cox
from netpet.registry import RegistryError
from tests.cox_fixtures import REFERENCE, fit_case, r_output, r_term

REL = 1e-6


def check_against_r(case: str) -> None:
    """Compare coefficients, SEs (model-based and robust), logliks, model tests, n and events with R."""
    result = fit_case(case)
    ours = cox_coefficients(result)
    coef, fit = r_output(case, "coef"), r_output(case, "fit").row(0, named=True)
    assert ours["term"].to_list() == [r_term(t) for t in coef["term"]]
    assert ours["coef"].to_list() == pytest.approx(coef["coef"].to_list(), rel=REL)
    assert ours["se"].to_list() == pytest.approx(coef["se"].to_list(), rel=REL)
    if coef["robust_se"].null_count() == 0:
        assert ours["robust_se"].to_list() == pytest.approx(coef["robust_se"].to_list(), rel=REL)
        assert result.robust_score is not None
        assert result.robust_score.chisq == pytest.approx(fit["robust_score"], rel=REL)
    else:
        assert "robust_se" not in ours.columns
    assert result.loglik_null == pytest.approx(fit["loglik0"], rel=REL)
    assert result.loglik == pytest.approx(fit["loglik"], rel=REL)
    for test, column in ((result.likelihood_ratio, "lr"), (result.wald, "wald"), (result.score, "score")):
        assert test.chisq == pytest.approx(fit[column], rel=REL)
        assert test.df == fit[f"{column}_df"]
        assert test.p == pytest.approx(fit[f"{column}_p"], rel=REL)
    assert (result.n, result.events, result.iterations) == (fit["n"], fit["events"], fit["iter"])


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_veteran_matches_r(ties: str) -> None:
    """R: veteran$celltype a factor (squamous first);
    coxph(Surv(time, event) ~ trt + celltype + karno + age, data = veteran, ties = ties)."""
    check_against_r(f"veteran_{ties}")


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_lung_matches_r(ties: str) -> None:
    """R: lung without NA in age, sex, ph.ecog; event = status - 1;
    coxph(Surv(time, event) ~ age + sex + ph_ecog, data = lung, ties = ties)."""
    check_against_r(f"lung_{ties}")


def test_single_covariate_matches_r() -> None:
    """R: coxph(Surv(time, event) ~ age, data = lung)."""
    check_against_r("lung_single")


def test_stratified_colon_matches_r() -> None:
    """R: colon deaths (etype == 2), NA dropped;
    coxph(Surv(time, event) ~ rx + age + nodes + strata(sex), data = colon2)."""
    check_against_r("colon_strata")


@pytest.mark.parametrize("case", ["colon_cluster", "colon_cluster_breslow"])
def test_clustered_colon_robust_variance_matches_r(case: str) -> None:
    """R: colon, both event types, NA dropped; coxph(Surv(time, event) ~ rx + age + nodes + strata(etype),
    cluster = id, data = colon, ties = "efron" / "breslow"): robust SE, robust score test."""
    check_against_r(case)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_matches_r(ties: str) -> None:
    """R: rossi from lifelines.datasets.load_rossi (week -> time, arrest -> event);
    coxph(Surv(time, event) ~ fin + age + race + wexp + mar + paro + prio, data = rossi, ties = ties)."""
    check_against_r(f"rossi_{ties}")


@pytest.mark.parametrize("case", ["heart_efron", "heart_breslow", "heart_cluster"])
def test_counting_process_heart_matches_r(case: str) -> None:
    """R: heart (start -> entry, stop -> time); coxph(Surv(entry, time, event) ~ age + year + surgery +
    transplant, data = heart, ties = ties), and with cluster = id (robust)."""
    check_against_r(case)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_deaths_at_time_zero_and_a_stratum_without_events_match_r(ties: str) -> None:
    """R: edge.csv (seed 2026; four deaths at time 0, stratum C has no events);
    coxph(Surv(time, event) ~ x + strata(g), data = edge, ties = ties)."""
    check_against_r(f"edge_{ties}")


@pytest.mark.parametrize("case", ["veteran_efron", "heart_efron"])
def test_linear_predictor_is_centred_as_r(case: str) -> None:
    """R: fit$linear.predictors of the veteran and heart fits: centred at the means, except 0/1 columns
    (celltype dummies; surgery, transplant), which coxph's nocenter leaves alone."""
    expected = pl.read_csv(REFERENCE / f"{case}_lp.csv")["lp"].to_list()
    assert fit_case(case).linear_predictor.tolist() == pytest.approx(expected, rel=REL, abs=1e-9)


def test_coefficients_agree_with_r_to_1e_10() -> None:
    """R: coxph(Surv(entry, time, event) ~ age + year + surgery + transplant, data = heart): the fitter
    follows coxph's iterations, so agreement is far tighter than the 1e-6 the project asks."""
    ours = fit_case("heart_efron").coef
    assert ours.tolist() == pytest.approx(r_output("heart_efron", "coef")["coef"].to_list(), rel=1e-10)


def test_breslow_score_test_equals_the_logrank_test_without_tied_times() -> None:
    """R: untied <- transform(veteran, time = time + seq_along(time) / 1000);
    survdiff(Surv(time, event) ~ celltype, data = untied)$chisq."""
    veteran = pl.read_csv(REFERENCE / "veteran.csv").with_columns(
        pl.col("time") + pl.int_range(1, pl.len() + 1) / 1000
    )
    logrank = pl.read_csv(REFERENCE / "logrank.csv")["chisq"][1]
    assert fit_cox(veteran, terms=["celltype"], ties="breslow").score.chisq == pytest.approx(logrank, rel=REL)


def test_breslow_score_test_differs_from_the_logrank_test_with_tied_times() -> None:
    """R: survdiff(Surv(time, event) ~ celltype, data = veteran)$chisq = 25.4037 (the ties = "exact" score
    test), while coxph(..., ties = "breslow")$score = 25.20407: survdiff's variance is hypergeometric."""
    veteran = pl.read_csv(REFERENCE / "veteran.csv")
    logrank = pl.read_csv(REFERENCE / "logrank.csv")["chisq"][0]
    breslow = fit_cox(veteran, terms=["celltype"], ties="breslow").score.chisq
    assert breslow == pytest.approx(25.20407, abs=5e-6)
    assert abs(breslow - logrank) > 0.1


def test_hazard_ratio_interval_is_exp_of_coef_plus_minus_1_96_se() -> None:
    """R: summary(coxph(Surv(time, event) ~ age + sex + ph_ecog, data = lung))$conf.int, which is
    exp(coef -+ qnorm(0.975) * se)."""
    table = cox_coefficients(fit_case("lung_efron"))
    coef = r_output("lung_efron", "coef")
    q = 1.959963984540054
    assert table["hr"].to_list() == pytest.approx(np.exp(coef["coef"]).to_list(), rel=REL)
    lower, upper = np.exp(coef["coef"] - q * coef["se"]), np.exp(coef["coef"] + q * coef["se"])
    assert table["hr_lower"].to_list() == pytest.approx(lower.to_list(), rel=REL)
    assert table["hr_upper"].to_list() == pytest.approx(upper.to_list(), rel=REL)


def test_robust_table_has_robust_se_and_uses_it_for_z() -> None:
    table = cox_coefficients(fit_case("colon_cluster"))
    assert table.columns == ["term", "coef", "se", "hr", "hr_lower", "hr_upper", "z", "p", "robust_se"]
    assert (table["z"] * table["robust_se"]).to_list() == pytest.approx(table["coef"].to_list(), rel=1e-12)


def test_model_tests_table_lists_lr_wald_score() -> None:
    tests = cox_tests(fit_case("lung_efron"))
    assert tests["test"].to_list() == ["likelihood_ratio", "wald", "score"]
    assert tests["df"].to_list() == [3, 3, 3]


def test_split_intervals_give_the_same_fit_as_whole_ones() -> None:
    """Cutting each follow-up into (0, t/2] and (t/2, t] rows with the same covariates leaves the partial
    likelihood unchanged, so the counting-process fit equals R's right-censored one (lung, Efron)."""
    lung = pl.read_csv(REFERENCE / "lung.csv").with_columns(pl.lit(0.0).alias("entry"))
    first = lung.with_columns((pl.col("time") / 2).alias("time"), pl.lit(0).alias("event"))
    second = lung.with_columns((pl.col("time") / 2).alias("entry"))
    split = pl.concat([first, second.select(first.columns)], how="vertical_relaxed")
    ours = fit_cox(split, terms=["age", "sex", "ph_ecog"]).coef
    assert ours.tolist() == pytest.approx(r_output("lung_efron", "coef")["coef"].to_list(), rel=REL)


def test_rows_with_missing_values_are_left_out_as_r_does() -> None:
    """R: coxph(Surv(time, event) ~ age + sex + ph_ecog, data = lung) on lung with its NA rows: na.omit."""
    lung = pl.read_csv(REFERENCE / "lung.csv")
    holes = pl.DataFrame({"time": [100.0, 200.0], "event": [1, 0], "age": [None, 60.0],
                          "sex": [1, 2], "ph_ecog": [1.0, float("nan")]})
    result = fit_cox(pl.concat([lung, holes], how="vertical_relaxed"), terms=["age", "sex", "ph_ecog"])
    assert result.coef.tolist() == pytest.approx(r_output("lung_efron", "coef")["coef"].to_list(), rel=REL)
    assert result.notes == ["2 rows with missing values left out"]


def test_who_grade_levels_follow_the_grade_order() -> None:
    frame = _netpet_frame().with_columns(pl.Series("who_grade", ["G3", "G2", "G1"] * 8))
    result = fit_cox(frame, terms=["who_grade"])
    assert result.columns == ["who_grade=G2", "who_grade=G3"]
    assert result.reference == {"who_grade": "G1"}


def test_all_zero_entry_is_right_censored_data() -> None:
    lung = pl.read_csv(REFERENCE / "lung.csv")
    with_entry = fit_cox(lung.with_columns(pl.lit(0.0).alias("entry")), terms=["age"])
    assert with_entry.entry is None
    expected = r_output("lung_single", "coef")["coef"].to_list()
    assert with_entry.coef.tolist() == pytest.approx(expected, rel=REL)


def _netpet_frame() -> pl.DataFrame:
    """24 patients, 8 per NETPET group; hand-made times with more deaths in worse groups."""
    groups = ["P1"] * 8 + ["P2-4"] * 8 + ["P5"] * 8
    time = [30, 45, 50, 61, 70, 80, 90, 95, 12, 20, 33, 40, 48, 52, 60, 75, 3, 5, 8, 11, 15, 19, 25, 40]
    event = [1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]
    return pl.DataFrame({"time": [float(t) for t in time], "event": event, "netpet_group": groups})


def test_netpet_group_reference_is_p1_by_default() -> None:
    result = fit_cox(_netpet_frame(), terms=["netpet_group"])
    assert result.columns == ["netpet_group=P2-4", "netpet_group=P5"]
    assert result.reference == {"netpet_group": "P1"}


def test_chosen_reference_level_is_used() -> None:
    result = fit_cox(_netpet_frame(), terms=["netpet_group"], reference={"netpet_group": "P5"})
    assert result.columns == ["netpet_group=P1", "netpet_group=P2-4"]


def test_changing_the_reference_keeps_the_likelihood() -> None:
    a = fit_cox(_netpet_frame(), terms=["netpet_group"])
    b = fit_cox(_netpet_frame(), terms=["netpet_group"], reference={"netpet_group": "P5"})
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)
    assert b.coef[0] == pytest.approx(-a.coef[1], rel=1e-9)


def test_unknown_reference_level_is_an_error_naming_the_levels() -> None:
    message = r"reference level 'P9' of netpet_group is not in the data \(P1, P2-4, P5\)"
    with pytest.raises(RegistryError, match=message):
        fit_cox(_netpet_frame(), terms=["netpet_group"], reference={"netpet_group": "P9"})


def test_level_without_events_warns_of_monotone_likelihood_and_still_reports() -> None:
    """R, on _netpet_frame with no P1 events and g = factor(group, levels = c("P5", "P1", "P2-4")):
    coef(coxph(Surv(time, event) ~ g)) = (-22.55029133982, -1.45391798081) after 20 iterations, with
    "Loglik converged before variable 1; coefficient may be infinite"."""
    frame = _netpet_frame().with_columns(
        pl.when(pl.col("netpet_group") == "P1").then(0).otherwise(pl.col("event")).alias("event")
    )
    with pytest.warns(CoxConvergenceWarning, match="coefficient may be infinite"):
        result = fit_cox(frame, terms=["netpet_group"], reference={"netpet_group": "P5"})
    assert any("netpet_group=P1" in note for note in result.notes)
    table = cox_coefficients(result)
    p1 = table.row(0, named=True)
    assert p1["term"] == "netpet_group=P1"
    assert result.coef.tolist() == pytest.approx([-22.55029133982, -1.45391798081], rel=REL)
    assert result.iterations == 20
    assert p1["hr"] < 1e-9
    assert math.isfinite(result.loglik)


def test_docstring_example_runs() -> None:
    """R: coef(coxph(Surv(time, event) ~ x, data.frame(time = 1:6, event = c(1, 1, 0, 1, 1, 0),
    x = c(0.5, 1, 0.1, 0.7, 0.2, 0)))) = 3.598126681, the example in fit_cox's docstring."""
    import doctest

    import netpet.analysis.survival.cox

    assert doctest.testmod(netpet.analysis.survival.cox).failed == 0


def test_no_events_is_an_error_not_a_crash() -> None:
    with pytest.raises(RegistryError, match="no events"):
        fit_cox(_netpet_frame().with_columns(pl.lit(0).alias("event")), terms=["netpet_group"])


def test_no_terms_is_an_error() -> None:
    with pytest.raises(RegistryError, match="at least one term"):
        fit_cox(_netpet_frame(), terms=[])


def test_unknown_ties_method_is_an_error() -> None:
    with pytest.raises(RegistryError, match="choose efron or breslow"):
        fit_cox(_netpet_frame(), terms=["netpet_group"], ties="exact")  # type: ignore[arg-type]
