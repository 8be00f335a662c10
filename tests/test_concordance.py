"""netpet.analysis.survival.concordance agrees with R's concordance() and coxph's fit$concordance (survival 3.5.3)."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.concordance import concordance_index
from netpet.analysis.studies.cox_analysis import cox_concordance
from tests.cox_fixtures import CASES, REFERENCE, fit_case, r_output

REL = 1e-6


def r_concordance(case: str) -> tuple[float, float]:
    row = pl.read_csv(REFERENCE / "concordance.csv").filter(pl.col("case") == case).row(0, named=True)
    return row["c"], row["se"]


def data(name: str) -> pl.DataFrame:
    return pl.read_csv(REFERENCE / f"{name}.csv")


def test_veteran_karno_matches_r() -> None:
    """R: concordance(Surv(time, event) ~ karno, data = veteran); c and sqrt(var)."""
    v = data("veteran")
    got = concordance_index(v["time"], v["event"], v["karno"])
    assert got == pytest.approx(r_concordance("veteran_karno"), rel=REL)


def test_stratified_concordance_matches_r() -> None:
    """R: concordance(Surv(time, event) ~ age + strata(sex), data = lung)."""
    lung = data("lung")
    got = concordance_index(lung["time"], lung["event"], lung["age"], lung["sex"].to_numpy())
    assert got == pytest.approx(r_concordance("lung_age_strata_sex"), rel=REL)


def test_reverse_concordance_matches_r() -> None:
    """R: concordance(Surv(time, event) ~ ph_ecog, data = lung, reverse = TRUE) (many tied predictions)."""
    lung = data("lung")
    got = concordance_index(lung["time"], lung["event"], lung["ph_ecog"], reverse=True)
    assert got == pytest.approx(r_concordance("lung_ecog_reverse"), rel=REL)


def test_counting_process_concordance_matches_r() -> None:
    """R: concordance(Surv(entry, time, event) ~ age, data = heart)."""
    heart = data("heart")
    got = concordance_index(heart["time"], heart["event"], heart["age"], entry=heart["entry"])
    assert got == pytest.approx(r_concordance("heart_age"), rel=REL)


def test_clustered_concordance_se_matches_r() -> None:
    """R: concordance(Surv(time, event) ~ nodes, data = colon, cluster = id)."""
    colon = data("colon")
    got = concordance_index(colon["time"], colon["event"], colon["nodes"], cluster=colon["id"].to_numpy())
    assert got == pytest.approx(r_concordance("colon_nodes_cluster"), rel=REL)


def test_ties_at_time_zero_match_r() -> None:
    """R: concordance(Surv(time, event) ~ x, data = edge)."""
    edge = data("edge")
    got = concordance_index(edge["time"], edge["event"], edge["x"])
    assert got == pytest.approx(r_concordance("edge_x"), rel=REL)


@pytest.mark.parametrize("case", list(CASES))
def test_cox_model_concordance_matches_r(case: str) -> None:
    """R: fit$concordance[c("concordance", "std")] of each reference coxph fit (make_reference.R): the
    linear predictor with reverse = TRUE, within strata, influence summed within clusters."""
    fit = r_output(case, "fit").row(0, named=True)
    expected = (fit["concordance"], fit["concordance_se"])
    assert cox_concordance(fit_case(case)) == pytest.approx(expected, rel=REL)


def brute_force_c(time: list[float], event: list[int], x: list[float]) -> float:
    """Harrell's C by looking at every pair: the shorter time must be an event; a censored time equal to an
    event time counts as longer; tied event times are not comparable; tied predictions count 1/2."""
    agree = pairs = 0.0
    for i, j in itertools.permutations(range(len(time)), 2):
        if event[i] and (time[j] > time[i] or (time[j] == time[i] and not event[j])):
            pairs += 1
            agree += 1.0 if x[j] > x[i] else 0.5 if x[j] == x[i] else 0.0
    return agree / pairs


def test_concordance_equals_brute_force_pair_count() -> None:
    rng = np.random.default_rng(7)
    time = rng.integers(1, 15, 60).astype(float)
    event = rng.integers(0, 2, 60)
    x = rng.integers(0, 6, 60).astype(float)
    c, _ = concordance_index(time, event, x)
    assert c == pytest.approx(brute_force_c(time.tolist(), event.tolist(), x.tolist()), rel=1e-12)


def brute_force_c_and_se(entry, time, event, x, strata) -> tuple[float, float]:
    """C and R's infinitesimal-jackknife SE from every pair: j is at risk at i's event time t when
    entry_j < t <= time_j in the same stratum (not when j also has an event at t). Each subject's
    concordant / discordant / tied counts over the pairs it is in give its dfbeta of Somers' d."""
    n = len(time)
    counts = np.zeros((n, 3))
    for i, j in itertools.permutations(range(n), 2):
        at_risk = entry[j] < time[i] and (time[j] > time[i] or (time[j] == time[i] and not event[j]))
        if event[i] and strata[i] == strata[j] and at_risk:
            kind = 0 if x[j] > x[i] else 1 if x[j] < x[i] else 2
            counts[i, kind] += 1
            counts[j, kind] += 1
    c, d, t = counts.sum(axis=0) / 2
    pairs = c + d + t
    somers = (c - d) / pairs
    dfbeta = (counts[:, 0] - counts[:, 1]) / pairs - somers / pairs * counts.sum(axis=1)
    return (somers + 1) / 2, float(np.sqrt(np.sum(dfbeta**2) / 4))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stratified_counting_process_concordance_equals_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 70
    entry = rng.integers(0, 5, n).astype(float)
    time = entry + rng.integers(1, 10, n)
    event = rng.integers(0, 2, n)
    x = rng.integers(0, 8, n).astype(float)
    strata = rng.integers(0, 3, n)
    got = concordance_index(time, event, x, strata, entry=entry)
    assert got == pytest.approx(brute_force_c_and_se(entry, time, event, x, strata), rel=1e-12)


def test_reverse_is_one_minus_c_with_the_same_se() -> None:
    v = data("veteran")
    c, se = concordance_index(v["time"], v["event"], v["karno"])
    assert concordance_index(v["time"], v["event"], v["karno"], reverse=True) == pytest.approx((1 - c, se))


def test_no_comparable_pairs_gives_nan() -> None:
    c, se = concordance_index(np.array([1.0, 2.0]), np.array([0, 0]), np.array([1.0, 2.0]))
    assert np.isnan(c)
    assert np.isnan(se)
