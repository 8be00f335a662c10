"""netpet.analysis.survival.km and netpet.analysis.survival.logrank take R's rows: a missing time, event, group or
stratum leaves the row out
(counted in `notes`), an empty (entry, time] interval is left out, and no events is said, as R's survfit and
survdiff do. R's calls and outputs are in tests/reference/edges/cases.json (make_reference.R beside it).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.counts import survival_counts
from netpet.analysis.survival.km import km_fit
from netpet.analysis.survival.logrank import logrank_test
from tests.edge_fixtures import edge_case


def test_km_leaves_out_rows_with_a_missing_event_or_group_as_r_survfit() -> None:
    """R: survfit(Surv(time, event) ~ group, d) with one event and one group missing: n 8 and 6."""
    data, r, _ = edge_case("survfit_missing")
    fit = km_fit(data)
    assert fit.summary["n"].to_list() == r["n"]
    r_rows = [(t, s, n) for t, s, n in zip(r["time"], r["surv"], r["n_risk"], strict=True)]
    assert len(fit.table) == len(r_rows)
    np.testing.assert_allclose(fit.table.select("time", "surv", "n_risk").to_numpy(), np.array(r_rows),
                               rtol=1e-12)
    assert fit.notes == ("2 rows with missing values left out",)


def test_logrank_leaves_out_rows_with_a_missing_stratum_as_r_survdiff() -> None:
    """R: survdiff(Surv(time, event) ~ group + strata(stratum), d): 13 rows of 16 used."""
    data, r, _ = edge_case("survdiff_missing")
    counts = survival_counts(data, strata="stratum")
    assert int(counts.n.sum()) == sum(r["n"]) == 13
    assert counts.notes == ("3 rows with missing values left out",)
    assert logrank_test(data, strata="stratum").chisq == pytest.approx(r["chisq"], rel=1e-9)


def test_no_events_is_said_as_r_survdiff_warns() -> None:
    """R: survdiff(Surv(time, event) ~ g) with no events gives chisq 0 on -1 df and warns (NaNs produced)."""
    data, r, r_warnings = edge_case("survdiff_no_events")
    result = logrank_test(data, group="g")
    assert (result.chisq, result.df) == (r["chisq"], 0)
    assert np.isnan(result.p)
    assert r_warnings
    notes = survival_counts(data, group="g").notes
    assert notes == ("No events in the data: the curves stay at 1 and there is nothing to test",)
    assert km_fit(data, group="g").notes == notes


def test_a_missing_time_is_left_out_not_refused() -> None:
    data = pl.DataFrame({"time": [1.0, None, 3.0, float("nan"), 5.0], "event": [1, 1, 0, 1, 1]})
    fit = km_fit(data)
    assert fit.summary["n"].to_list() == [3]
    assert fit.notes == ("2 rows with missing values left out",)


def test_empty_entry_intervals_are_left_out_as_r_surv() -> None:
    data = pl.DataFrame({"entry": [1.0, 2.0, 0.0], "time": [1.0, 3.0, 4.0], "event": [1, 0, 1]})
    fit = km_fit(data)
    assert fit.summary["n"].to_list() == [2]
    assert fit.notes == ("1 row with entry not before time (R's Surv makes them NA) left out",)


@pytest.mark.parametrize("codes", [[1, 2, 1], [0, 1, 2], [1.0, 0.5, 0.0]])
def test_event_codes_other_than_zero_and_one_are_refused_by_km_and_logrank(codes: list[float]) -> None:
    data = pl.DataFrame({"time": [1.0, 2, 3], "event": codes, "group": ["a", "b", "a"]})
    for entry_point in (km_fit, logrank_test):
        with pytest.raises(AnalysisError, match=r"event must be 0 or 1 .* row \d has"):
            entry_point(data)
