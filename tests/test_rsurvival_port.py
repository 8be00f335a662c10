"""R survival's own test cases (therneau/survival tests/book1-5.R, counting.R, singtest.R, tiedtime.R, zph.R,
concordance*.R) that use features the engine has, ported: each case's R call, source file and R's values
are in tests/reference/rsurvival/cases.json (make_reference.R beside it). R's tests check R against values
worked out by hand; the hand formulas for data set 1 are checked here too.

Not ported (the engine has no such feature): case weights (book5.R weighted fits, book6.R, the weighted
concordance cases), exact partial likelihood (book7.R), residuals, survfit on a Cox model and predict
(the rest of book1-5.R, counting.R), tt() (the concordance-as-Cox-score checks), the identity and log
transforms of cox.zph (zph.R's fits are compared with transform "km"), time weights other than "n"
(concordance3.R), multi-state models (zph.R's mgus2 by id: its single-state models are ported), and
tiedtime.R's first case (it reads the package's binary ties.rda).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from netpet.analysis.studies.cox_analysis import cox_concordance
from netpet.analysis.survival.concordance import concordance_index
from netpet.analysis.survival.cox import CoxResult, fit_cox
from netpet.analysis.survival.km import km_fit
from netpet.analysis.survival.phtest import ph_test
from tests.pair_counts import brute_force

HERE = Path(__file__).parent / "reference" / "rsurvival"
REL = 1e-6


@cache
def cases() -> dict[str, Any]:
    return json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def case_data(name: str) -> pl.DataFrame:
    data = cases()[name]["data"]
    frame = pl.read_csv(HERE / data, null_values="NA") if isinstance(data, str) else pl.DataFrame(data, strict=False)
    return frame.with_columns(pl.col(c).cast(pl.Float64) for c, t in frame.schema.items() if t.is_integer())


def listed(values: Any) -> np.ndarray:
    values = values if isinstance(values, list) else [values]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


# case -> (renames to time/event/entry, fit_cox keywords); the R call is in cases.json.
TEST1 = {"status": "event"}
TEST2 = {"start": "entry", "stop": "time"}
TEST1B = {"start": "entry", "stop": "time", "status": "event"}
COX: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "book1_breslow": (TEST1, {"terms": ["x"], "ties": "breslow"}),
    "book2_efron": (TEST1, {"terms": ["x"]}),
    "book3_breslow": (TEST2, {"terms": ["x"], "ties": "breslow"}),
    "book3_strata": (TEST2, {"terms": ["x"], "ties": "breslow", "strata": "group"}),
    "book4_efron": (TEST2, {"terms": ["x"]}),
    "book4_strata": (TEST2, {"terms": ["x"], "strata": "group"}),
    "book5_replicated": (TEST1, {"terms": ["x"], "ties": "breslow"}),
    "counting_fit": (TEST1, {"terms": ["x"]}),
    "counting_fitb": (TEST1B, {"terms": ["x"]}),
    "counting_cluster": (TEST1B, {"terms": ["x"], "cluster": "id"}),
    "singtest": (TEST1B, {"terms": [f"c{k}" for k in range(1, 8)]}),
    "zph_breslow": (TEST1, {"terms": ["x"], "ties": "breslow"}),
    "zph_efron": (TEST1, {"terms": ["x"]}),
    "zph_strata": ({"dummy": "entry", "status": "event"}, {"terms": ["x"], "strata": "group"}),
    "zph_mgus2_pcm": ({"etime": "time", "pcm": "event"}, {"terms": ["sex", "age"]}),
    "zph_mgus2_death": ({"etime": "time", "death": "event"}, {"terms": ["sex", "age"]}),
    "zph_pbcseq": ({"tstart": "entry", "tstop": "time", "death": "event"},
                   {"terms": ["lbili", "albumin", "edema", "age", "lprotime"]}),
    "zph_veteran_epoch": ({"tstart": "entry", "status": "event"}, {"terms": [f"c{k}" for k in range(1, 10)]}),
    "concordance3_age_strata": (TEST1, {"terms": ["age"], "strata": "sex"}),
    "concordance3_age_ecog_strata": (TEST1, {"terms": ["age", "ph_ecog"], "strata": "sex"}),
}


def fit(name: str) -> CoxResult:
    renames, options = COX[name]
    data = case_data(name)
    return fit_cox(data.rename({k: v for k, v in renames.items() if k in data.columns}), **options)


@pytest.mark.parametrize("name", list(COX))
def test_cox_fit_matches_r(name: str) -> None:
    """Coefficients (NA where aliased), variance, log-likelihoods, the three tests with R's df, the robust
    score test and the concordance, as R's coxph."""
    r, result = cases()[name]["output"], fit(name)
    np.testing.assert_allclose(result.coef, listed(r["coef"]), rtol=REL)
    np.testing.assert_allclose(result.var, np.array(r["var"], dtype=float).reshape(result.var.shape), rtol=REL,
                               atol=1e-14)
    assert (result.loglik_null, result.loglik) == pytest.approx(r["loglik"], rel=1e-9)
    assert (result.n, result.events) == (r["n"], r["events"])
    assert (result.likelihood_ratio.chisq, result.likelihood_ratio.df) == pytest.approx(r["lr"][:2], rel=REL,
                                                                                          abs=1e-12)
    assert (result.wald.chisq, result.wald.df) == pytest.approx((r["wald_test"], r["wald_df"]), rel=REL)
    assert (result.score.chisq, result.score.df) == pytest.approx(r["score"][:2], rel=REL)
    if r["robust_score"] is not None:
        assert result.robust_score is not None
        assert result.robust_score.chisq == pytest.approx(r["robust_score"][0], rel=REL)
    assert cox_concordance(result) == pytest.approx(r["concordance"], rel=REL)


@pytest.mark.parametrize("name", [n for n in COX if cases()[n]["output"]["zph"] is not None])
def test_ph_test_matches_r_cox_zph(name: str) -> None:
    """cox.zph(fit) (transform "km"), aliased columns left out; per term where the terms are R's."""
    r, table = cases()[name]["output"]["zph"], ph_test(fit(name))
    expected = pl.DataFrame(np.array(r["table"]), schema=["chisq", "df", "p"], orient="row").with_columns(
        term=pl.Series(r["terms"]))
    if table["term"].to_list() != r["terms"]:  # design columns standing for R's multi-column terms
        table, expected = table.filter(term="GLOBAL"), expected.filter(term="GLOBAL")
    np.testing.assert_allclose(table.select("chisq", "df", "p").to_numpy(),
                               expected.select("chisq", "df", "p").to_numpy(), rtol=REL)


def test_data_set_1_matches_the_hand_solutions() -> None:
    """book1.R/book2.R: beta-hat = log(3/2 + sqrt(33)/2) (Breslow) and 1.676857 (Efron); the Breslow
    loglik 2b - log(3r + 3) - 2 log(r + 3) and variance 1 / (r/(r+1)^2 + 6r/(r+3)^2) at r = exp(b)."""
    breslow = fit("book1_breslow")
    b = math.log(1.5 + math.sqrt(33) / 2)
    r = math.exp(b)
    assert breslow.coef[0] == pytest.approx(b, rel=1e-8)
    assert breslow.loglik == pytest.approx(2 * b - (math.log(3 * r + 3) + 2 * math.log(r + 3)), rel=1e-10)
    assert breslow.var[0, 0] == pytest.approx(1 / (r / (r + 1) ** 2 + 6 * r / (r + 3) ** 2), rel=1e-8)
    assert breslow.loglik_null == pytest.approx(-(math.log(6) + 2 * math.log(4)), rel=1e-12)
    assert round(float(fit("book2_efron").coef[0]), 6) == 1.676857
    phi = math.acos((45 / 23) * math.sqrt(3 / 23))  # zph.R's closed form of the Efron MLE
    assert fit("book2_efron").coef[0] == pytest.approx(math.log(2 * math.sqrt(23 / 3) * math.cos(phi / 3)),
                                                       rel=1e-8)


def test_singtest_aliases_the_columns_r_does() -> None:
    """singtest.R: x * factor(epoch) on this data has NA for elements 2:4 (the epoch columns)."""
    result = fit("singtest")
    assert np.isnan(result.coef).tolist() == [False, True, True, True, False, False, False]
    assert result.loglik == pytest.approx(cases()["singtest"]["output"]["loglik"][1], rel=1e-9)


def test_counting_process_rows_of_one_subject_give_the_right_censored_fit() -> None:
    """counting.R: test1b (several (start, stop] rows per subject, one NA x) fits as test1."""
    a, b = fit("counting_fit"), fit("counting_fitb")
    assert b.coef == pytest.approx(a.coef, rel=1e-9)
    assert b.loglik == pytest.approx(a.loglik, rel=1e-12)


@pytest.mark.parametrize("name", ["book1_km", "tiedtime"])
def test_km_matches_r_survfit(name: str) -> None:
    """survfit(Surv(time, status) ~ [group]): book1.R's data set 1 (one NA status left out) and
    tiedtime.R's 2 and sqrt(2)^2 (one time)."""
    r, data = cases()[name]["output"], case_data(name).rename({"status": "event"})
    table = km_fit(data, group="group" if "group" in data.columns else None).table
    assert table["time"].to_list() == pytest.approx(r["time"], rel=1e-12)
    assert table["surv"].to_list() == pytest.approx(r["surv"], rel=1e-12)
    assert table["n_risk"].to_list() == r["n_risk"]
    if "std_err" in r:  # R's std.err is the SE of -log S; the table's is the SE of S
        se_log = (table["std_err"] / table["surv"]).to_numpy()
        np.testing.assert_allclose(se_log, listed(r["std_err"]), rtol=1e-12)
    if "strata" in r:
        assert table.group_by("group", maintain_order=True).len()["len"].to_list() == r["strata"]


# case -> (predictor, reverse, entry column, strata column, cluster column)
CONCORDANCE: dict[str, tuple[str, bool, str | None, str | None, str | None]] = {
    "concordance_tdata": ("x", False, None, None, None),
    "concordance_replicated": ("x", False, None, None, None),
    "concordance_start_zero": ("x", False, "zero", None, None),
    "concordance_ties": ("x", False, None, None, None),
    "concordance_lung_age": ("age", True, None, None, None),
    "concordance_lung_ecog": ("ph_ecog", True, None, None, None),
    "concordance_intervals_cluster": ("x", True, "time1", None, "id"),
    "concordance_strata_intervals": ("x", True, "time1", "grp", None),
    "concordance_cox_lp": ("lp", False, None, None, None),
    "concordance3_aml": ("x", False, None, None, None),
}


@pytest.mark.parametrize("name", list(CONCORDANCE))
def test_concordance_matches_r(name: str) -> None:
    """C and its SE as R's concordance(); R's pair counts equal the pair-by-pair count."""
    predictor, reverse, entry, strata, cluster = CONCORDANCE[name]
    r, data = cases()[name]["output"], case_data(name)
    time = data["time2"] if "time2" in data.columns else data["time"]
    got = concordance_index(time, data["status"], data[predictor], None if strata is None else data[strata],
                            entry=None if entry is None else data[entry],
                            cluster=None if cluster is None else data[cluster], reverse=reverse)
    assert got == pytest.approx((r["c"], r["se"]), rel=REL)
    complete = data.with_columns(time=time).drop_nulls([predictor, "status"])
    zero = [0.0] * complete.height
    x = complete[predictor].to_numpy() * (-1 if reverse else 1)
    counts, _, _ = brute_force(
        zero if entry is None else complete[entry].to_list(), complete["time"].to_list(),
        complete["status"].to_list(), x.tolist(), zero if strata is None else complete[strata].to_list(),
        list(range(complete.height)),
    )
    assert counts.tolist() == r["count"]
