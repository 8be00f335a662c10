"""netpet.analysis.survival.concordance counts pairs exactly as R's concordance(): proved against an O(n^2) pair count
with
R's definition on random inputs (hypothesis) and on 300 random data sets whose counts, C and SE R wrote
(tests/reference/edges/make_reference.R), plus the issue's examples and R's rules for missing values.

R's definition (concordance.R, concordance5.c): a pair (i, j) is comparable when i has an event at t, j is
in the same stratum and at risk at t (entry_j < t <= time_j) and j has no event at t (that pair is tied in
y and left out); it is concordant when x_j > x_i (the longer-lived member has the larger predictor),
discordant when x_j < x_i, and tied in x (counted one half) when equal. Rows with entry >= time are NA in
R's Surv and left out. The SE is the infinitesimal jackknife: Somers' d's dfbeta per subject, summed
within clusters, var(C) = sum(dfbeta^2) / 4.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival import concordance
from netpet.analysis.survival.concordance import concordance_index
from tests.edge_fixtures import edge_case, read_edges_csv
from tests.pair_counts import brute_force


@st.composite
def small_data(draw: st.DrawFn) -> dict[str, list]:
    """Small data sets with heavy ties in time and predictor, two strata, entry times and clusters."""
    n = draw(st.integers(2, 14))
    ints = lambda lo, hi: st.lists(st.integers(lo, hi), min_size=n, max_size=n)  # noqa: E731
    time = draw(ints(1, 5))
    gap = draw(ints(0, 3)) if draw(st.booleans()) else [10] * n
    return {
        "time": time,
        "event": draw(ints(0, 1)),
        "x": draw(ints(0, draw(st.integers(0, 6)))),
        "strata": draw(ints(0, 1)),
        "entry": [max(0, t - g) if g < 10 else 0 for t, g in zip(time, gap, strict=True)],
        "cluster": draw(ints(0, max(0, n // 2))),
    }


#: Both ways of counting pairs: a table of cumulative counts per rank (few distinct predictor values, the
#: default at these sizes) and the dyadic blocks (forced by allowing no dense table).
COUNTING = pytest.mark.parametrize("dense_ranks", [concordance.DENSE_RANKS, 0], ids=["dense", "blocks"])


@COUNTING
@settings(max_examples=400, deadline=None)
@given(d=small_data())
def test_c_and_se_equal_the_pair_by_pair_count(dense_ranks: int, d: dict[str, list]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(concordance, "DENSE_RANKS", dense_ranks)
        _check_against_pair_count(d)


def _check_against_pair_count(d: dict[str, list]) -> None:
    has_entry = any(d["entry"])
    _, c, se = brute_force(d["entry"], d["time"], d["event"], d["x"], d["strata"], d["cluster"])
    usable = sum(e < t for e, t in zip(d["entry"], d["time"], strict=True)) if has_entry else len(d["time"])
    if usable == 0:
        return  # R: "No (non-missing) observations"
    if usable == 1:  # R's concordance stops: "'x' must be an array of at least two dimensions"
        with pytest.raises(AnalysisError, match="1 row"):
            concordance_index(d["time"], d["event"], d["x"], d["strata"], cluster=d["cluster"],
                              entry=d["entry"] if has_entry else None)
        return
    got = concordance_index(d["time"], d["event"], d["x"], d["strata"], cluster=d["cluster"],
                            entry=d["entry"] if has_entry else None)
    if np.isnan(c):
        assert np.isnan(got.concordance)
        assert np.isnan(got.se)
    else:
        assert got == pytest.approx((c, se), rel=1e-12, abs=1e-15)


def r_sets() -> list[tuple[dict, pl.DataFrame]]:
    rows = read_edges_csv("concordance_rows.csv")
    sets = read_edges_csv("concordance_sets.csv")
    return [(s, rows.filter(pl.col("set") == s["set"])) for s in sets.iter_rows(named=True)]


@COUNTING
def test_300_random_sets_match_r_counts_c_and_se(dense_ranks: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """R: concordance(Surv([entry,] time, event) ~ x + strata(stratum), d, cluster = cluster) per set
    (make_reference.R); n 3 to 40, integer times 1-8, integer or continuous x, entry == time in some rows."""
    monkeypatch.setattr(concordance, "DENSE_RANKS", dense_ranks)
    worst = 0.0
    for r, d in r_sets():
        entry = d["entry"].to_list() if r["counting"] else [0] * d.height
        counts, c, se = brute_force(entry, d["time"].to_list(), d["event"].to_list(), d["x"].to_list(),
                                    d["stratum"].to_list(), d["cluster"].to_list())
        assert counts.tolist() == [r["concordant"], r["discordant"], r["tied_x"]], f"set {r['set']}"
        got = concordance_index(d["time"], d["event"], d["x"], d["stratum"], cluster=d["cluster"],
                                entry=d["entry"] if r["counting"] else None)
        if r["c"] is None or np.isnan(r["c"]):  # no comparable pair: R gives C NaN with var 0, here SE NaN
            assert np.isnan(got.concordance)
            assert np.isnan(got.se)
            assert np.isnan(c)
            continue
        assert got == pytest.approx((r["c"], r["se"]), rel=1e-9), f"set {r['set']}"
        assert (c, se) == pytest.approx((r["c"], r["se"]), rel=1e-9), f"set {r['set']}"
        worst = max(worst, *(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(got, (r["c"], r["se"]), strict=True)))
    assert worst < 1e-12


def test_the_issue_example_counts_one_concordant_and_one_tied_pair() -> None:
    """R: concordance(Surv(time, event) ~ x) gives C 0.75, SE 0.17678 (counts 1, 0, 1); it was C 1.0."""
    data, r, _ = edge_case("concordance_issue")
    got = concordance_index(data["time"], data["event"], data["x"])
    assert got == pytest.approx((r["c"], r["se"]), rel=1e-12)
    assert r["count"][:3] == [1, 0, 1]


def test_cgd_counting_process_rows_with_clusters_match_r() -> None:
    """R: concordance(Surv(tstart, tstop, status) ~ age, cgd, cluster = id): 0.5733 (it was 0.5775)."""
    _, r, _ = edge_case("cgd_age")
    cgd = read_edges_csv("cgd.csv")
    got = concordance_index(cgd["tstop"], cgd["status"], cgd["age"], entry=cgd["tstart"], cluster=cgd["id"])
    assert got == pytest.approx((r["c"], r["se"]), rel=1e-9)


def test_a_missing_predictor_is_left_out_and_noted_as_r() -> None:
    """R: concordance(Surv(time, event) ~ x) with x = (1, NA, 3, 2, 5, 4): 0.8571, SE 0.1554."""
    data, r, _ = edge_case("concordance_missing_x")
    got = concordance_index(data["time"], data["event"], data["x"])
    assert got == pytest.approx((r["c"], r["se"]), rel=1e-9)
    assert got.notes == ["1 row with missing values left out"]


def test_lung_ecog_with_its_missing_value_matches_r() -> None:
    """R: concordance(Surv(time, status) ~ ph.ecog, lung), one ph.ecog NA: 0.3955 (it was 0.3921)."""
    data, r, _ = edge_case("lung_ecog_missing")
    got = concordance_index(data["time"], data["event"], data["ph_ecog"])
    assert got == pytest.approx((r["c"], r["se"]), rel=1e-9)


def test_missing_event_strata_and_cluster_rows_are_left_out() -> None:
    time, x = [1.0, 2, 3, 4, 5, 6, 7], [1.0, 4, 3, 2, 5, 4, 0]
    full = concordance_index(time[:5], [1, 1, 0, 1, 1], x[:5], [0, 0, 1, 0, 1], cluster=[1, 2, 3, 4, 5])
    got = concordance_index(time, [1, 1, 0, 1, 1, None, 1], x, [0, 0, 1, 0, 1, 1, None],
                            cluster=[1, 2, 3, 4, 5, 6, 7])
    assert got == pytest.approx(tuple(full), rel=1e-12)
    assert got.notes == ["2 rows with missing values left out"]


def test_rows_with_entry_not_before_time_are_left_out_as_r_surv() -> None:
    got = concordance_index([2.0, 3, 4, 5], [1, 1, 0, 1], [1.0, 2, 3, 0], entry=[0.0, 3, 1, 1])
    kept = concordance_index([2.0, 4, 5], [1, 0, 1], [1.0, 3, 0], entry=[0.0, 1, 1])
    assert got == pytest.approx(tuple(kept), rel=1e-12)
    assert got.notes == ["1 row with entry not before time (R's Surv makes them NA) left out"]


@pytest.mark.parametrize("codes", [[1, 2, 0], [0.0, 0.5, 1.0]])
def test_event_codes_other_than_zero_and_one_are_refused(codes: list[float]) -> None:
    with pytest.raises(AnalysisError, match="row 2 has"):
        concordance_index([1.0, 2, 3], codes, [1.0, 2, 3])
