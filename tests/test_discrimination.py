"""netpet.analysis.survival.discrimination agrees with R's concordance() (survival 3.5.3) and with counting every
pair."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.discrimination import compare_concordance, harrell_c, time_dependent_auc, uno_c
from netpet.analysis.survival.weighted_pairs import weighted_pair_counts

REFERENCE = Path(__file__).parent / "reference" / "validation"
REL = 1e-6
FIELDS = ("c", "se", "n", "concordant", "discordant", "tied_x", "tied_time", "tied_both")


def data(name: str) -> pl.DataFrame:
    return pl.read_csv(REFERENCE / f"{name}.csv")


def r_row(case: str) -> dict:
    return pl.read_csv(REFERENCE / "concordance.csv").filter(pl.col("case") == case).row(0, named=True)


def assert_matches_r(got: object, case: str) -> None:
    expected = r_row(case)
    for field in FIELDS:
        assert getattr(got, field) == pytest.approx(expected[field], rel=REL, abs=1e-12), field
    assert (got.lower, got.upper) == pytest.approx(  # type: ignore[attr-defined]
        (expected["c"] - 1.959963984540054 * expected["se"], expected["c"] + 1.959963984540054 * expected["se"]),
        rel=REL,
    )


HARRELL = {
    # case -> (data, score column, negate the score, strata column); R calls in concordance.R
    "lung_age": ("lung", "age", False, None),
    "lung_ecog": ("lung", "ph_ecog", False, None),
    "lung_ecog_strata_sex": ("lung", "ph_ecog", False, "sex"),
    "veteran_karno": ("veteran", "karno", True, None),
    "pbc_bili": ("pbc", "bili", False, None),
    "colon_nodes": ("colon", "nodes", False, None),
}


@pytest.mark.parametrize("case", list(HARRELL))
def test_harrell_c_matches_r(case: str) -> None:
    """R: concordance(Surv(time, event) ~ score [+ strata(s)], data, reverse = TRUE): c, sqrt(var), counts."""
    name, column, negate, strata = HARRELL[case]
    d = data(name)
    score = -d[column].to_numpy() if negate else d[column].to_numpy()
    got = harrell_c(d["time"].to_numpy(), d["event"].to_numpy(), score,
                    strata=None if strata is None else d[strata].to_numpy())
    assert_matches_r(got, case)


def test_harrell_c_with_late_entry_matches_r() -> None:
    """R: concordance(Surv(entry, time, event) ~ age, heart, reverse = TRUE)."""
    heart = data("heart")
    got = harrell_c(heart["time"].to_numpy(), heart["event"].to_numpy(), heart["age"].to_numpy(),
                    entry=heart["entry"].to_numpy())
    assert_matches_r(got, "heart_age_entry")


UNO = {
    "uno_lung_ecog": ("lung", "ph_ecog", False, None),
    "uno_veteran_karno": ("veteran", "karno", True, None),
    "uno_pbc_bili": ("pbc", "bili", False, None),
    "uno_pbc_bili_tau": ("pbc", "bili", False, 2000.0),
    "uno_colon_nodes_tau": ("colon", "nodes", False, 1500.0),
}


@pytest.mark.parametrize("case", list(UNO))
def test_uno_c_matches_r(case: str) -> None:
    """R: concordance(Surv(time, event) ~ score, data, reverse = TRUE, timewt = "n/G2" [, ymax = tau]):
    c, sqrt(var) and the 1/G^2-weighted counts."""
    name, column, negate, tau = UNO[case]
    d = data(name)
    score = -d[column].to_numpy() if negate else d[column].to_numpy()
    assert_matches_r(uno_c(d["time"].to_numpy(), d["event"].to_numpy(), score, tau=tau), case)


@pytest.mark.parametrize(("case", "timewt", "tau"), [("n", "n", None), ("n/G2", "n/G2", None),
                                                     ("n/G2 ymax 3000", "n/G2", 3000.0)])
def test_compare_concordance_matches_r_joint_covariance(case: str, timewt: str, tau: float | None) -> None:
    """R: cfit <- concordance(fit_bili, fit_clinical, fit_full [, timewt = "n/G2"] [, ymax = 3000]) on pbc;
    the contrast c_k - c_bili with variance v_kk + v_11 - 2 v_k1 from cfit$var, 95% CI, 2 * pnorm(-|z|)."""
    lp = data("pbc_lp")
    scores = {name: lp[name].to_numpy() for name in ("bili", "clinical", "full")}
    got = compare_concordance(lp["time"].to_numpy(), lp["event"].to_numpy(), scores, reference="bili",
                              timewt=timewt, tau=tau)  # type: ignore[arg-type]
    expected = (pl.read_csv(REFERENCE / "comparison.csv", null_values="NA")
                .filter((pl.col("case") == case) & (pl.col("fit") != "bili")))
    assert got["scheme"].to_list() == expected["fit"].to_list()
    assert set(got["reference"]) == {"bili"}
    for column in ("c_difference", "lower", "upper", "p"):
        assert got[column].to_list() == pytest.approx(expected[column].to_list(), rel=REL), column


def brute_force_counts(time: list[float], event: list[int], x: list[int], weight: list[float],
                       entry: list[float] | None) -> np.ndarray:
    """Per-subject (concordant, discordant, tied x) by visiting every pair: the earlier time must be an event,
    the other subject at risk then (entered before it; a censored time equal to it counts as longer)."""
    rows = np.zeros((len(time), 3))
    for i, j in itertools.permutations(range(len(time)), 2):
        longer = time[j] > time[i] or (time[j] == time[i] and not event[j])
        at_risk = entry is None or entry[j] < time[i]
        if event[i] and longer and at_risk:
            column = 0 if x[j] > x[i] else 1 if x[j] < x[i] else 2
            rows[i, column] += weight[i]
            rows[j, column] += weight[i]
    return rows


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("late_entry", [False, True])
def test_weighted_pair_counts_equal_every_pair_counted(seed: int, late_entry: bool) -> None:
    """Weighted counts per subject equal a loop over all pairs, with tied times, tied ranks and late entry."""
    rng = np.random.default_rng(seed)
    n = 30
    time = rng.integers(1, 8, n).astype(float)
    event = rng.integers(0, 2, n)
    rank = rng.integers(0, 5, n)
    weight = rng.uniform(0.5, 3.0, 8)[time.astype(int)]  # one weight per event time, as R's timewt
    entry = np.floor(time * rng.uniform(0, 1, n)) if late_entry else None
    got = weighted_pair_counts(time, event.astype(bool), rank, weight, entry=entry)
    expected = brute_force_counts(list(time), list(event), list(rank), list(weight),
                                  None if entry is None else list(entry))
    np.testing.assert_allclose(got.rows, expected, rtol=1e-12, atol=1e-12)
    tied = [(i, j) for i, j in itertools.combinations(range(n), 2) if event[i] and event[j] and time[i] == time[j]]
    assert got.tied_both == pytest.approx(sum(weight[i] for i, j in tied if rank[i] == rank[j]))
    assert got.tied_time == pytest.approx(sum(weight[i] for i, j in tied if rank[i] != rank[j]))


def test_all_censored_gives_no_concordance() -> None:
    """Without events there is no comparable pair: C and SE are NaN, the counts zero."""
    time, event, score = np.arange(1.0, 6), np.zeros(5, dtype=int), np.array([3.0, 1, 2, 5, 4])
    for got in (harrell_c(time, event, score), uno_c(time, event, score)):
        assert math.isnan(got.c)
        assert math.isnan(got.se)
        assert (got.concordant, got.discordant, got.tied_x) == (0, 0, 0)


def test_a_single_level_score_is_half_concordant() -> None:
    """Every comparable pair tied on the score counts one half: C = 0.5 with zero SE."""
    lung = data("lung")
    got = harrell_c(lung["time"].to_numpy(), lung["event"].to_numpy(), np.ones(lung.height))
    assert (got.c, got.concordant, got.discordant) == (0.5, 0, 0)
    assert got.se == pytest.approx(0.0, abs=1e-12)
    assert got.tied_x > 0


def test_a_perfect_risk_score_is_fully_concordant() -> None:
    """Deaths in order of decreasing score: every comparable pair concordant, Harrell's and Uno's C = 1."""
    time = np.arange(1.0, 11)
    event = np.array([1, 1, 0, 1, 1, 0, 1, 1, 1, 0])
    score = -time
    assert harrell_c(time, event, score).c == 1.0
    assert uno_c(time, event, score).c == pytest.approx(1.0)


def test_compare_concordance_refuses_an_unknown_reference() -> None:
    """The reference must be one of the scores; the message lists them."""
    with pytest.raises(ValueError, match="reference 'netpet' is not among the scores: a, b"):
        compare_concordance(np.ones(3), np.ones(3), {"a": np.ones(3), "b": np.ones(3)}, reference="netpet")


def test_mismatched_lengths_are_refused() -> None:
    """Scores must be on the same patients as time and event."""
    with pytest.raises(ValueError, match=r"differ in length \(3, 3, 2\)"):
        harrell_c(np.ones(3), np.ones(3), np.ones(2))


AUC = {
    # case -> (data, marker column, negate); times are stored with R's values (auc.R)
    "veteran_karno": ("veteran", "karno", True),
    "pbc_bili": ("pbc", "bili", False),
    "lung_ecog": ("lung", "ph_ecog", False),
    "colon_nodes": ("colon", "nodes", False),
}


@pytest.mark.parametrize("case", list(AUC))
def test_time_dependent_auc_matches_riskregression_score(case: str) -> None:
    """R: Score(list(marker), Hist(time, event) ~ 1, data, times, metrics = "auc", cens.model = "km",
    se.fit = TRUE)$AUC$score: AUC, se (influence function), lower, upper."""
    name, column, negate = AUC[case]
    d = data(name)
    marker = -d[column].to_numpy() if negate else d[column].to_numpy()
    expected = pl.read_csv(REFERENCE / "auc.csv").filter(pl.col("case") == case)
    got = time_dependent_auc(d["time"].to_numpy(), d["event"].to_numpy(), marker, expected["time"].to_numpy())
    assert got["time"].to_list() == expected["time"].to_list()
    for column_name in ("auc", "se", "lower", "upper"):
        assert got[column_name].to_list() == pytest.approx(expected[column_name].to_list(), rel=REL), column_name


def test_auc_without_censoring_is_the_share_of_correctly_ordered_case_control_pairs() -> None:
    """No censoring: every weight is 1, so the AUC at t is the Mann-Whitney share (ties 1/2) of
    (event by t, event-free after t) pairs where the case has the higher marker."""
    time = np.array([1.0, 2, 3, 4, 5, 6])
    marker = np.array([5.0, 2, 4, 4, 1, 3])
    got = time_dependent_auc(time, np.ones(6), marker, [3.0]).row(0, named=True)
    cases, controls = marker[:3], marker[3:]
    pairs = [(a > b) + 0.5 * (a == b) for a in cases for b in controls]
    assert got["auc"] == pytest.approx(sum(pairs) / len(pairs))


def test_auc_is_missing_where_a_time_has_no_case_or_no_control() -> None:
    """Before the first event there are no cases; after the last time, no controls: NaN, not an error."""
    got = time_dependent_auc(np.array([2.0, 3, 4]), np.array([1, 0, 1]), np.array([3.0, 2, 1]), [1.0, 4.0])
    assert all(math.isnan(v) for v in got["auc"])


def test_a_perfect_marker_has_auc_one_and_its_interval_is_clipped() -> None:
    """Every case above every control: AUC 1; the upper limit is clipped to 1, as Score does."""
    time = np.arange(1.0, 21)
    got = time_dependent_auc(time, np.ones(20), -time, [10.0]).row(0, named=True)
    assert got["auc"] == 1.0
    assert got["upper"] == 1.0
