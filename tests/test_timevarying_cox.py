"""Time-varying Cox models on counting-process rows agree with R's coxph(Surv(tstart, tstop, event) ~ ...).

References: tests/reference/timevarying, written by make_reference.R beside them (R 4, survival 3.5.3):
pbcseq with the histologic stage as a time-varying score (tmerge, as in the vignette "Using Time Dependent
Covariates"), the Stanford heart transplant data (`heart`, from `jasa1`), and the small registry cohort of
`tests.longitudinal_fixtures.SMALL_COHORT`, whose zero-length row R drops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.cox import cox_coefficients, fit_cox
from netpet.analysis.studies.longitudinal import check_intervals, score_intervals
from tests.longitudinal_fixtures import add_small_cohort

REFERENCE = Path(__file__).parent / "reference" / "timevarying"
COEFFICIENTS = pl.read_csv(REFERENCE / "coefficients.csv")
FITS = pl.read_csv(REFERENCE / "fits.csv", null_values="NA")
TIES = ("efron", "breslow")


def _pbcseq() -> pl.DataFrame:
    return pl.read_csv(REFERENCE / "pbcseq_intervals.csv").rename(
        {"tstart": "entry", "tstop": "time", "death": "event"}
    )


def _heart() -> pl.DataFrame:
    return pl.read_csv(REFERENCE / "heart.csv").rename({"start": "entry", "stop": "time"})


def _check_against_r(result, model: str, ties: str) -> None:
    want = COEFFICIENTS.filter((pl.col("model") == model) & (pl.col("ties") == ties))
    fit = FITS.filter((pl.col("model") == model) & (pl.col("ties") == ties)).row(0, named=True)
    got = cox_coefficients(result)
    assert got["coef"].to_list() == pytest.approx(want["coef"].to_list(), rel=1e-6)
    assert got["se"].to_list() == pytest.approx(want["naive_se"].to_list(), rel=1e-6)
    se_used = got["robust_se"] if "robust_se" in got.columns else got["se"]
    assert se_used.to_list() == pytest.approx(want["se"].to_list(), rel=1e-6)
    assert got["p"].to_list() == pytest.approx(want["p"].to_list(), rel=1e-6)
    assert (result.n, result.events) == (fit["n"], fit["nevent"])
    assert (result.loglik_null, result.loglik) == pytest.approx((fit["loglik_null"], fit["loglik"]), rel=1e-9)
    assert result.likelihood_ratio.chisq == pytest.approx(fit["lr"], rel=1e-6)
    assert result.wald.chisq == pytest.approx(fit["wald"], rel=1e-6)
    assert result.score.chisq == pytest.approx(fit["score"], rel=1e-6)
    if fit["robust_score"] is not None:
        assert result.robust_score.chisq == pytest.approx(fit["robust_score"], rel=1e-6)


@pytest.mark.parametrize("ties", TIES)
def test_pbcseq_stage_as_time_varying_score_matches_r(ties):
    """R: coxph(Surv(tstart, tstop, death) ~ factor(stage) + log_bili + age, data = pbcseq_rows, ties = ties)."""
    data = _pbcseq()
    check_intervals(data, id_column="id")  # survcheck: no overlap in R's tmerge output
    result = fit_cox(data, terms=["stage", "log_bili", "age"], reference={"stage": "S1"}, ties=ties)
    _check_against_r(result, "pbcseq", ties)


@pytest.mark.parametrize("ties", TIES)
def test_pbcseq_robust_variance_clustered_by_patient_matches_r(ties):
    """R: coxph(Surv(tstart, tstop, death) ~ factor(stage) + log_bili + age, pbcseq_rows, ties, cluster = id)."""
    result = fit_cox(_pbcseq(), terms=["stage", "log_bili", "age"], reference={"stage": "S1"}, ties=ties,
                     cluster="id")
    _check_against_r(result, "pbcseq_robust", ties)


@pytest.mark.parametrize("ties", TIES)
def test_heart_transplant_as_time_varying_covariate_matches_r(ties):
    """R: coxph(Surv(start, stop, event) ~ age + year + surgery + transplant, data = heart, ties = ties)."""
    data = _heart()
    check_intervals(data, id_column="id")
    result = fit_cox(data, terms=["age", "year", "surgery", "transplant"], ties=ties)
    _check_against_r(result, "heart", ties)


@pytest.mark.parametrize("ties", TIES)
def test_registry_score_intervals_fit_as_r_with_the_zero_length_row_dropped(registries, ties):
    """R: coxph(Surv(tstart, tstop, event) ~ group, data = small) warns "Stop time must be > start time,
    NA created" for C's (0, 0] row and fits the other 22 rows; the registry drops it and counts it."""
    from netpet.registry import Registry

    with Registry.open(registries.copy(add_small_cohort), read_only=True) as reg:
        data = score_intervals(reg, time_unit="days")
    fit = FITS.filter((pl.col("model") == "small") & (pl.col("ties") == ties)).row(0, named=True)
    assert sum(data.excluded.values()) == fit["dropped"]
    result = fit_cox(data.frame, terms=["group"], reference={"group": "P1"}, levels={"group": ["P1", "P2-4", "P5"]},
                     ties=ties)
    _check_against_r(result, "small", ties)
    assert np.all(np.isfinite(result.coef))
