"""Log-rank, Peto–Peto, stratified, pairwise and trend tests agree with R's survdiff and coxph."""

from __future__ import annotations

import doctest

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netpet.analysis.survival.logrank
from netpet.analysis.survival.logrank import (
    NoTest,
    adjust_p,
    logrank_test,
    logrank_trend,
    logrank_where_defined,
    pairwise_logrank,
)
from tests.km_fixtures import case_data, reference_tests


def _cases(test: str) -> list[dict]:
    return [t for t in reference_tests()["tests"] if t["test"] == test]


def _id(t: dict) -> str:
    return f"{t['case']}-rho{t['rho']}{'-strata' if t['strata'] else ''}"


@pytest.mark.parametrize("ref", _cases("logrank"), ids=_id)
def test_logrank_matches_r_survdiff(ref: dict) -> None:
    """R: survdiff(Surv(time, event) ~ group [+ strata(stratum)], data, rho = rho)$chisq, df = groups with
    expected > 0 minus 1; for delayed entry (lung_entry)
    summary(coxph(Surv(entry, time, event) ~ factor(group), data, ties = "breslow"))$sctest.
    """
    result = logrank_test(case_data(ref["case"]), rho=ref["rho"], strata="stratum" if ref["strata"] else None)
    assert result.df == ref["df"]
    assert (result.chisq, result.p) == pytest.approx((ref["chisq"], ref["p"]), rel=1e-6)


@pytest.mark.parametrize("ref", _cases("trend"), ids=_id)
def test_trend_matches_r_coxph_breslow_score_test(ref: dict) -> None:
    """R: d$score <- as.numeric(factor(group, levels = sort(unique(group))));
    summary(coxph(Surv(time, event) ~ score [+ strata(stratum)], d, ties = "breslow"))$sctest
    (Surv(entry, time, event) for lung_entry).
    """
    result = logrank_trend(case_data(ref["case"]), strata="stratum" if ref["strata"] else None)
    assert result.df == 1
    assert (result.chisq, result.p) == pytest.approx((ref["chisq"], ref["p"]), rel=1e-6)


@pytest.mark.parametrize("case", ["veteran_celltype", "colon_rx", "lung_ecog"])
def test_pairwise_matches_r_survdiff_on_pairs_with_holm(case: str) -> None:
    """R: for each pair i < j of sorted levels, survdiff(Surv(time, event) ~ group, subset of the pair);
    p.adjust(p, method = "holm").
    """
    expected = pl.DataFrame([r for r in reference_tests()["pairwise"] if r["case"] == case]).drop("case")
    actual = pairwise_logrank(case_data(case))
    assert actual.select("group1", "group2").rows() == expected.select("group1", "group2").rows()
    for column in ("chisq", "p", "p_adjusted"):
        assert actual[column].to_list() == pytest.approx(expected[column].to_list(), rel=1e-6)


def test_logrank_by_hand_on_four_deaths() -> None:
    """Deaths at 1 (a), 2 (b), 3 (a), 4 (b): E_a = 1/2 + 1/3 + 1/2, V = 1/4 + 2/9 + 1/4 = 13/18,
    chisq = (2 - 4/3)² / (13/18) = 8/13 (R: survdiff gives 0.6153846).
    """
    data = pl.DataFrame({"time": [1.0, 2, 3, 4], "event": [1, 1, 1, 1], "group": ["a", "b", "a", "b"]})
    assert logrank_test(data).chisq == pytest.approx(8 / 13, rel=1e-12)


def test_trend_ignores_location_and_scale_of_the_scores() -> None:
    data = case_data("veteran_celltype")
    default = logrank_trend(data)
    assert logrank_trend(data, scores=[10, 20, 30, 40]).chisq == pytest.approx(default.chisq, rel=1e-12)
    mapped = logrank_trend(data, scores={"adeno": 0, "large": 1, "smallcell": 2, "squamous": 3})
    assert mapped.chisq == pytest.approx(default.chisq, rel=1e-12)


def test_trend_on_two_groups_with_breslow_ties_equals_the_delayed_entry_logrank() -> None:
    """Both are the Cox score test with Breslow ties on one indicator (R gives 9.04666 for both)."""
    data = case_data("lung_entry")
    assert logrank_trend(data).chisq == pytest.approx(logrank_test(data).chisq, rel=1e-12)


def test_weighted_test_with_delayed_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="rho = 0"):
        logrank_test(case_data("lung_entry"), rho=1)


def test_a_single_group_is_refused_as_r_survdiff() -> None:
    """R: survdiff(Surv(time, status) ~ sex, lung[lung$sex == 1, ]) stops: 'There is only 1 group'."""
    data = case_data("lung_sex").filter(group="male")
    with pytest.raises(NoTest, match="only 1 group"):
        logrank_test(data)
    result = logrank_where_defined(data)  # what a report showing the one curve prints
    assert (result.chisq, result.df) == (0.0, 0)
    assert np.isnan(result.p)


def test_singular_variance_is_refused_as_r_survdiff() -> None:
    """R: survdiff(Surv(c(1, 1), c(1, 1)) ~ c("a", "b")) stops: 'system is exactly singular'."""
    data = pl.DataFrame({"time": [1.0, 1.0], "event": [1, 1], "group": ["a", "b"]})
    with pytest.raises(NoTest, match="exactly singular"):
        logrank_test(data)
    result = logrank_where_defined(data)
    assert result.df == 1
    assert np.isnan(result.chisq)
    assert np.isnan(result.p)
    assert pairwise_logrank(data)["chisq"].is_nan().all()


def test_wrong_number_of_scores_is_refused() -> None:
    with pytest.raises(ValueError, match="3 scores for 4 levels"):
        logrank_trend(case_data("veteran_celltype"), scores=[1, 2, 3])


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # Hand: sorted 0.01, 0.03, 0.04 -> 3 x 0.01, max(0.03, 2 x 0.03), max(0.06, 0.04).
        ("holm", [0.03, 0.06, 0.06]),
        # Hand: 0.04 x 3/3, min(0.04, 0.03 x 3/2), min(0.04, 0.01 x 3).
        ("BH", [0.03, 0.04, 0.04]),
        ("bonferroni", [0.03, 0.12, 0.09]),
        ("none", [0.01, 0.04, 0.03]),
    ],
)
def test_adjust_p_follows_r_p_adjust(method: str, expected: list[float]) -> None:
    assert adjust_p(np.array([0.01, 0.04, 0.03]), method).tolist() == pytest.approx(expected)


def test_module_examples_run() -> None:
    assert doctest.testmod(netpet.analysis.survival.logrank).failed == 0


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 20), st.booleans(), st.sampled_from(["a", "b", "c"])),
                     min_size=2, max_size=40))
def test_tests_do_not_depend_on_group_names(rows: list[tuple[int, bool, str]]) -> None:
    """Renaming groups (and so reordering them) leaves the log-rank and Peto–Peto statistics unchanged."""
    data = pl.DataFrame(rows, schema=["time", "event", "group"], orient="row")
    renamed = data.with_columns(pl.col("group").replace({"a": "z", "b": "y", "c": "x"}))
    for rho in (0, 1):
        original, relabelled = logrank_where_defined(data, rho=rho), logrank_where_defined(renamed, rho=rho)
        assert relabelled.df == original.df
        assert relabelled.chisq == pytest.approx(original.chisq, rel=1e-9, abs=1e-12, nan_ok=True)
