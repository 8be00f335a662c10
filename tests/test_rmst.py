"""netpet.analysis.survival.rmst agrees with R's survfit rmean (survival 3.5.3) and survRM2's rmst2 differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.rmst import rmst, rmst_differences

REFERENCE = Path(__file__).parent / "reference" / "validation"
REL = 1e-6

#: case -> (data, group column or None); tau is stored beside R's numbers (rmst.R).
CASES = {
    "lung_sex": ("lung", "sex"),
    "lung_all": ("lung", None),
    "veteran_celltype": ("veteran", "celltype"),
    "veteran_beyond_last": ("veteran", "celltype"),
    "pbc_edema": ("pbc", "edema"),
    "colon_rx": ("colon", "rx"),
}


def case_data(case: str) -> tuple[pl.DataFrame, str | None, float]:
    name, group = CASES[case]
    d = pl.read_csv(REFERENCE / f"{name}.csv", schema_overrides={group: pl.String} if group else None)
    expected = pl.read_csv(REFERENCE / "rmst.csv", schema_overrides={"level": pl.String})
    return d, group, float(expected.filter(pl.col("case") == case)["tau"][0])


@pytest.mark.parametrize("case", list(CASES))
def test_rmst_matches_r_survfit_rmean(case: str) -> None:
    """R: summary(survfit(Surv(time, event) ~ group, d), rmean = tau)$table[, c("rmean", "se(rmean)")]."""
    d, group, tau = case_data(case)
    got = rmst(d["time"].to_numpy(), d["event"].to_numpy(), tau, group=None if group is None else d[group])
    expected = pl.read_csv(REFERENCE / "rmst.csv", schema_overrides={"level": pl.String}).filter(
        pl.col("case") == case)
    assert got["level"].to_list() == expected["level"].to_list()
    assert got["rmst"].to_list() == pytest.approx(expected["rmean"].to_list(), rel=REL)
    assert got["se"].to_list() == pytest.approx(expected["se"].to_list(), rel=REL)
    assert (got["upper"] - got["rmst"]).to_list() == pytest.approx((1.959963984540054 * got["se"]).to_list())


@pytest.mark.parametrize("case", [c for c, (_, group) in CASES.items() if group])
def test_rmst_differences_match_survrm2_formula_in_r(case: str) -> None:
    """R (rmst.R): rmean_k - rmean_ref with se = sqrt(se_k^2 + se_ref^2), CI and 2 * pnorm(-|z|), as
    survRM2::rmst2, against the first level (R's factor order)."""
    d, group, tau = case_data(case)
    assert group is not None
    got = rmst_differences(d["time"].to_numpy(), d["event"].to_numpy(), tau, group=d[group])
    expected = pl.read_csv(REFERENCE / "rmst_differences.csv",
                           schema_overrides={"level": pl.String, "reference": pl.String}).filter(
        pl.col("case") == case)
    assert got["level"].to_list() == expected["level"].to_list()
    assert got["reference"].to_list() == expected["reference"].to_list()
    for column in ("difference", "se", "lower", "upper", "p"):
        assert got[column].to_list() == pytest.approx(expected[column].to_list(), rel=REL), column


def test_all_censored_level_has_rmst_tau_and_no_variance() -> None:
    """A level without events keeps S = 1: its RMST is tau with zero SE."""
    time = np.array([1.0, 2, 3, 4, 5, 6])
    event = np.array([1, 1, 0, 0, 0, 0])
    got = rmst(time, event, 5.0, group=np.array(["a", "a", "a", "b", "b", "b"]))
    assert got.filter(pl.col("level") == "b").row(0, named=True)["rmst"] == 5.0
    assert got.filter(pl.col("level") == "b").row(0, named=True)["se"] == 0.0


def test_rmst_by_hand_with_a_tie_and_tau_between_times() -> None:
    """Times 1, 2, 2, 4 (all events), tau 3: S = 0.75 on [1, 2), 0.25 on [2, 3) -> 1 + 0.75 + 0.25 = 2.
    Variance: A(1)^2 1/(4*3) + A(2)^2 2/(3*1), with A(1) = 1.0, A(2) = 0.25."""
    got = rmst(np.array([1.0, 2, 2, 4]), np.array([1, 1, 1, 1]), 3.0).row(0, named=True)
    assert got["rmst"] == pytest.approx(2.0)
    assert got["se"] == pytest.approx(np.sqrt(1.0 / 12 + 0.0625 * 2 / 3))


def test_one_group_has_no_differences() -> None:
    """With a single level there is nothing to compare: an empty table with the contract's columns."""
    got = rmst_differences(np.array([1.0, 2, 3]), np.array([1, 0, 1]), 2.0, group=np.array(["P1"] * 3))
    assert got.height == 0
    assert got.columns == ["level", "reference", "difference", "se", "lower", "upper", "p"]


def test_unknown_reference_and_bad_tau_are_refused() -> None:
    """The reference must be a level; tau must be positive."""
    with pytest.raises(ValueError, match="reference level 'P9' is not among the levels: P1, P5"):
        rmst_differences(np.ones(2), np.ones(2), 1.0, group=np.array(["P1", "P5"]), reference="P9")
    with pytest.raises(ValueError, match="tau must be a positive time"):
        rmst(np.ones(2), np.ones(2), 0.0)
