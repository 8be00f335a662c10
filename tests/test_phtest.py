"""netpet.analysis.survival.phtest agrees with R's cox.zph(fit, transform = "km", terms = TRUE) (survival 3.5.3)."""

from __future__ import annotations

import pytest

from netpet.analysis.survival.phtest import ph_test
from tests.cox_fixtures import fit_case, r_output

REL = 1e-6


def check_against_r(case: str) -> None:
    """Compare every term's chisq, df and p, and the GLOBAL row, with R's cox.zph table."""
    ours, theirs = ph_test(fit_case(case)), r_output(case, "zph")
    assert ours["term"].to_list() == theirs["term"].to_list()
    assert ours["df"].to_list() == theirs["df"].to_list()
    assert ours["chisq"].to_list() == pytest.approx(theirs["chisq"].to_list(), rel=REL)
    assert ours["p"].to_list() == pytest.approx(theirs["p"].to_list(), rel=REL)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_veteran_zph_matches_r(ties: str) -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ trt + celltype + karno + age, data = veteran, ties = ties)):
    celltype (4 levels) is one test on 3 df."""
    check_against_r(f"veteran_{ties}")


@pytest.mark.parametrize("case", ["lung_efron", "lung_breslow", "lung_single"])
def test_lung_zph_matches_r(case: str) -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ age + sex + ph_ecog, data = lung)), Efron and Breslow, and
    cox.zph(coxph(Surv(time, event) ~ age, data = lung))."""
    check_against_r(case)


@pytest.mark.parametrize("case", ["colon_strata", "colon_cluster", "colon_cluster_breslow"])
def test_stratified_colon_zph_matches_r(case: str) -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ rx + age + nodes + strata(sex), data = colon2)) and
    cox.zph(coxph(Surv(time, event) ~ rx + age + nodes + strata(etype), cluster = id, data = colon))
    (the KM transform pools the strata; the cluster does not enter the test)."""
    check_against_r(case)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_rossi_zph_matches_r(ties: str) -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ fin + age + race + wexp + mar + paro + prio, data = rossi,
    ties = ties))."""
    check_against_r(f"rossi_{ties}")


@pytest.mark.parametrize("case", ["heart_efron", "heart_breslow"])
def test_counting_process_zph_matches_r(case: str) -> None:
    """R: cox.zph(coxph(Surv(entry, time, event) ~ age + year + surgery + transplant, data = heart))."""
    check_against_r(case)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_edge_zph_matches_r(ties: str) -> None:
    """R: cox.zph(coxph(Surv(time, event) ~ x + strata(g), data = edge, ties = ties)): deaths at time 0,
    a stratum without events."""
    check_against_r(f"edge_{ties}")


def test_global_row_comes_last_with_all_columns_as_df() -> None:
    table = ph_test(fit_case("veteran_efron"))
    assert table["term"].to_list()[-1] == "GLOBAL"
    assert table["df"].to_list() == [1, 3, 1, 1, 6]
