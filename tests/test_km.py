"""Kaplan–Meier curves, medians and survival at chosen times agree with R's survival package."""

from __future__ import annotations

import doctest

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netpet.analysis.survival.km
from netpet.analysis.survival.counts import survival_counts, timefix
from netpet.analysis.survival.km import KMResult, km_fit, km_summary, km_table, survival_at
from tests.km_fixtures import AT_TIMES, CASES, CONF_TYPES, assert_columns_match, case_data, reference_csv

CURVE_COLUMNS = ["time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"]


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", CASES)
def test_km_table_matches_r_summary_censored(case: str, conf_type: str) -> None:
    """R: fit <- survfit(Surv(time, event) ~ group, data, conf.type = conf_type)  (Surv(entry, time, event)
    for lung_entry); summary(fit, censored = TRUE): time, n.risk, n.event, n.censor, surv, std.err, lower,
    upper.
    """
    expected = reference_csv("km_tables").filter(case=case, conf_type=conf_type).sort("group", "time")
    actual = km_table(case_data(case), conf_type=conf_type).sort("group", "time")
    assert actual["group"].to_list() == expected["group"].to_list()
    assert_columns_match(actual, expected, CURVE_COLUMNS)


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", CASES)
def test_median_and_its_ci_match_r_quantile(case: str, conf_type: str) -> None:
    """R: q <- quantile(survfit(Surv(time, event) ~ group, data, conf.type = conf_type), 0.5);
    q$quantile, q$lower, q$upper, and summary(fit)$table[, c("records", "events")].
    """
    expected = reference_csv("km_medians").filter(case=case, conf_type=conf_type).sort("group")
    actual = km_summary(case_data(case), conf_type=conf_type).sort("group")
    assert actual["group"].to_list() == expected["group"].to_list()
    assert_columns_match(actual, expected, ["n", "events", "median", "median_lower", "median_upper"])


@pytest.mark.parametrize("case", CASES)
def test_survival_at_matches_r_summary_times(case: str) -> None:
    """R: summary(survfit(Surv(time, event) ~ group, data), times = at, extend = FALSE)."""
    expected = reference_csv("km_at").filter(case=case).sort("group", "time")
    actual = survival_at(km_fit(case_data(case)), AT_TIMES[case]).sort("group", "time")
    assert actual["group"].to_list() == expected["group"].to_list()
    assert_columns_match(actual, expected, CURVE_COLUMNS)


def test_timefix_merges_month_times_that_differ_in_the_last_bits() -> None:
    """R: survfit(Surv(time, event) ~ group, lung_months) counts 186 distinct times, as for the days,
    although the data hold 190 distinct doubles (aeqSurv merges them before ties are counted).
    """
    data = case_data("lung_months")
    assert data["time"].n_unique() == 190
    fixed, _ = timefix(data["time"].to_numpy())
    assert np.unique(fixed).size == 186
    r_rows = reference_csv("km_tables").filter(case="lung_months", conf_type="log").height
    assert km_table(data).height == r_rows
    unfixed = survival_counts(data, fix_times=False)
    assert np.unique(unfixed.time).size == 190


def test_timefix_snaps_to_the_smaller_time_and_keeps_distinct_times() -> None:
    time = np.array([1.0, 1.0 + 1e-12, 2.0, 3.0])
    fixed, entry = timefix(time)
    assert fixed.tolist() == [1.0, 1.0, 2.0, 3.0]
    assert entry is None


def test_timefix_refuses_an_interval_it_would_empty() -> None:
    """R: aeqSurv(Surv(1, 1 + 1e-12, 1)) stops with 'an interval has effective length 0'."""
    with pytest.raises(ValueError, match="effective length 0"):
        timefix(np.array([1.0 + 1e-12, 5.0]), np.array([1.0, 0.5]))


# --- edge cases, checked by hand (and against R in the "edge" reference case) ---------------------------


def edge() -> pl.DataFrame:
    return case_data("edge")


def test_events_at_time_zero_count_everyone_at_risk() -> None:
    """Group A: 7 patients, one death at 0 and one censored at 0: S(0) = 6/7 with 7 at risk."""
    table = km_table(edge()).filter(group="A")
    assert table.row(0, named=True) | {"surv": pytest.approx(6 / 7)} == {
        "group": "A", "time": 0.0, "n_risk": 7, "n_event": 1, "n_censor": 1, "surv": 6 / 7,
        "std_err": table["std_err"][0], "lower": table["lower"][0], "upper": table["upper"][0],
    }


def test_censored_at_an_event_time_are_still_at_risk_then() -> None:
    """Group A at t = 2: death and censoring tie; 5 at risk (2, 2, 4, 4, 7), S = 6/7 * 4/5."""
    row = km_table(edge()).filter(group="A", time=2.0).row(0, named=True)
    assert (row["n_risk"], row["n_event"], row["n_censor"]) == (5, 1, 1)
    assert row["surv"] == pytest.approx(6 / 7 * 4 / 5)


def test_group_with_one_patient_drops_to_zero_with_undefined_limits() -> None:
    """Group B: one death at 5: S = 0, std err NaN and limits NA in R, null here; median 5, no CI."""
    fit = km_fit(edge())
    row = fit.table.filter(group="B").row(0, named=True)
    values = (row["n_risk"], row["surv"], row["std_err"], row["lower"], row["upper"])
    assert values == (1, 0.0, None, None, None)
    assert fit.summary.filter(group="B").row(0)[1:] == (1, 1, 5.0, None, None)


def test_all_censored_group_has_survival_one_and_null_median() -> None:
    """Group C: three censored: S = 1, se 0, log limits (1, 1), log-log limits NA; median null, not NaN."""
    fit = km_fit(edge())
    table = fit.table.filter(group="C")
    assert table["surv"].to_list() == [1.0, 1.0, 1.0]
    assert table["lower"].to_list() == [1.0, 1.0, 1.0]
    assert km_table(edge(), conf_type="log-log").filter(group="C")["lower"].null_count() == 3
    summary = fit.summary.filter(group="C").row(0, named=True)
    assert (summary["events"], summary["median"], summary["median_lower"]) == (0, None, None)


def test_flat_half_segment_gives_the_midpoint_median() -> None:
    """D: S = 0.5 from 2 to the last time 4 -> median (2 + 4) / 2 = 3; E: S = 0.5 on [2, 5) -> 3.5."""
    summary = km_summary(edge())
    assert summary.filter(group="D")["median"][0] == 3.0
    assert summary.filter(group="E")["median"][0] == 3.5


def test_times_beyond_a_groups_follow_up_give_no_row() -> None:
    """C is followed to 9, B to 5, D to 4: at = 100 gives no row at all; at = 5 keeps B (S = 0), drops D."""
    at = survival_at(edge(), [5, 100])
    assert at.filter(pl.col("time") == 100).height == 0
    assert at.filter(group="B")["surv"].to_list() == [0.0]
    assert sorted(at.filter(time=5.0)["group"].to_list()) == ["A", "B", "C", "E"]


def test_survival_at_counts_events_since_the_previous_time() -> None:
    """Group E (deaths 1, 2, 5; censored 6): at 1.5 -> 1 event, 3 at risk; at 5 -> 2 events since 1.5."""
    at = survival_at(edge(), [1.5, 5]).filter(group="E")
    assert at["n_event"].to_list() == [1, 2]
    assert at["n_risk"].to_list() == [3, 2]
    assert at["surv"].to_list() == pytest.approx([0.75, 0.25])


def test_delayed_entry_risk_set_is_entry_lt_t_le_time() -> None:
    """Entries (0, 1, 2, 3), exits (2, 3, 5, 6): at t = 2 the risk set is (0, 2] and (1, 3] only."""
    data = pl.DataFrame({"entry": [0.0, 1, 2, 3], "time": [2.0, 3, 5, 6], "event": [1, 0, 1, 1]})
    table = km_table(data)
    assert table["n_risk"].to_list() == [2, 2, 2, 1]
    assert table["surv"].to_list() == pytest.approx([0.5, 0.5, 0.25, 0.0])


def test_groups_follow_given_levels_and_ungrouped_data_is_one_curve() -> None:
    fit = km_fit(edge(), levels=["E", "D", "C", "B", "A"])
    assert fit.summary["group"].to_list() == ["E", "D", "C", "B", "A"]
    assert km_summary(edge().drop("group"))["group"].to_list() == ["all"]
    assert km_summary(edge().drop("group"))["n"].to_list() == [edge().height]


def test_boolean_and_numeric_groups_are_labelled_as_text_in_value_order() -> None:
    data = pl.DataFrame({"time": [1.0, 2, 3, 4], "event": [1, 1, 0, 1], "flag": [True, False, True, False],
                         "score": [10, 2, 10, 2]})
    assert km_summary(data, group="flag")["group"].to_list() == ["false", "true"]
    assert km_summary(data, group="score")["group"].to_list() == ["2", "10"]


def test_km_table_accepts_a_fit_but_not_options_with_it() -> None:
    fit = km_fit(edge())
    assert isinstance(fit, KMResult)
    assert km_table(fit) is fit.table
    with pytest.raises(TypeError, match="km_fit"):
        km_table(fit, conf_type="plain")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"time": [-1.0, 2.0], "event": [1, 0]}), "time must be finite and >= 0"),
        (pl.DataFrame({"time": [1.0, 2.0], "event": [1, 2]}), "event must be 0 or 1"),
        (pl.DataFrame({"time": [1.0, 2.0], "event": [1.0, 0.5]}), "row 2 has 0.5"),
        (pl.DataFrame({"time": [1.0], "event": [1], "group": [None]}, schema_overrides={"group": pl.String}),
         r"no patients to analyse \(1 row with missing values left out\)"),
        (pl.DataFrame({"time": [1.0]}), "missing event"),
        (pl.DataFrame({"time": [], "event": []}), "no patients"),
    ],
)
def test_invalid_survival_data_is_refused_with_the_reason(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        km_fit(frame)


def test_unknown_conf_type_is_refused() -> None:
    with pytest.raises(ValueError, match="log-log"):
        km_fit(edge(), conf_type="wald")


def test_module_examples_run() -> None:
    assert doctest.testmod(netpet.analysis.survival.km).failed == 0


survival_rows = st.lists(
    st.tuples(st.integers(0, 30), st.booleans(), st.sampled_from(["a", "b", "c"])), min_size=1, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(rows=survival_rows)
def test_curves_are_monotone_bounded_and_bracketed_by_their_limits(rows: list[tuple[int, bool, str]]) -> None:
    data = pl.DataFrame(rows, schema=["time", "event", "group"], orient="row")
    fit = km_fit(data)
    for part in fit.table.partition_by("group"):
        surv = part["surv"].to_numpy()
        assert np.all((surv >= 0) & (surv <= 1))
        assert np.all(np.diff(surv) <= 0)
        assert np.all(np.diff(part["n_risk"].to_numpy()) <= 0)
        limits = part.drop_nulls(["lower", "upper"])
        assert np.all(limits["lower"].to_numpy() <= limits["surv"].to_numpy() + 1e-12)
        assert np.all(limits["surv"].to_numpy() <= limits["upper"].to_numpy() + 1e-12)
    summary = fit.summary.sort("group")
    totals = data.group_by("group").agg(n=pl.len(), events=pl.col("event").sum()).sort("group")
    assert summary["n"].to_list() == totals["n"].to_list()
    assert summary["events"].to_list() == totals["events"].to_list()
    lowest = fit.table.group_by("group").agg(pl.col("surv").min()).sort("group")
    assert [m is None for m in summary["median"]] == [s > 0.5 for s in lowest["surv"]]
