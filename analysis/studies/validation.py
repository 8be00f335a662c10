"""Prognostic validation of the NETPET score against other schemes, as a validation paper reports it.

`validate_schemes` measures every scheme on the same patients (complete cases over all schemes, each
exclusion counted): the Cox model of the scheme (AIC), Harrell's and Uno's C, time-dependent AUC, KM
medians and RMST per level, the difference in C from a reference scheme, the likelihood-ratio test of
adding the NETPET group to clinical models, Harrell's bootstrap optimism, and calibration (mean Cox-predicted
against KM-observed survival by level) at each time asked for. A scheme's score is its Cox linear predictor
(higher = higher risk), as R's ``concordance(fit1, fit2)`` scores fitted models. Schemes with one
categorical predictor are grouped by its levels; others by thirds of the linear predictor ("low", "middle",
"high"). The estimators are `netpet.analysis.survival.discrimination`, `netpet.analysis.survival.rmst`,
`netpet.analysis.survival.optimism`,
`netpet.analysis.survival.prediction`, `netpet.analysis.survival.cox` and `netpet.analysis.survival.km`; the schemes
are `netpet.analysis.studies.schemes`, their fits and the measures that refit or resample them
`netpet.analysis.studies.scheme_fits`; files are written by `netpet.analysis.outputs.validation_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.scheme_fits import (
    RISK_LEVELS,
    Fitted,
    calibration_rows,
    empty_calibration,
    fit_scheme,
    likelihood_ratio_rows,
    optimism_rows,
)
from netpet.analysis.studies.schemes import SchemeData

if TYPE_CHECKING:
    from netpet.analysis.survival.cox import CoxResult
    from netpet.registry import Registry

__all__ = ["RISK_LEVELS", "ValidationReport", "validate_schemes"]

_SCHEME_COLUMNS = {"scheme": pl.String, "predictors": pl.String, "n": pl.Int64, "events": pl.Int64,
                   "harrell_c": pl.Float64, "harrell_c_se": pl.Float64, "harrell_c_lower": pl.Float64,
                   "harrell_c_upper": pl.Float64, "uno_c": pl.Float64, "uno_c_se": pl.Float64,
                   "aic": pl.Float64, "df": pl.Int64}


@dataclass(frozen=True)
class ValidationReport:
    """Every measure of every scheme as tidy tables, with the patients left out and the schemes set aside.

    Times are in `time_unit` from the `origin`; `tau` is the RMST horizon; `at` the times of AUC and
    calibration. Tables (one row per scheme, or per scheme and level or time): `schemes`, `auc`, `medians`,
    `rmst`, `rmst_differences`, `comparisons`, `likelihood_ratio`, `optimism`, `calibration`, and `curves`
    (the KM curves by level, for figures).
    """

    endpoint: str
    origin: str
    time_unit: str
    tau: float
    at: tuple[float, ...]
    reference: str
    bootstrap: int
    seed: int
    excluded: dict[str, int]
    skipped: dict[str, str]
    study: dict[str, Any]
    schemes: pl.DataFrame
    auc: pl.DataFrame
    medians: pl.DataFrame
    rmst: pl.DataFrame
    rmst_differences: pl.DataFrame
    comparisons: pl.DataFrame
    likelihood_ratio: pl.DataFrame
    optimism: pl.DataFrame
    calibration: pl.DataFrame
    curves: pl.DataFrame

    def tables(self) -> dict[str, pl.DataFrame]:
        """Return the tables by name (the CSV file stems of the report)."""
        names = ("schemes", "auc", "medians", "rmst", "rmst_differences", "comparisons", "likelihood_ratio",
                 "optimism", "calibration")
        return {name: getattr(self, name) for name in names}

    def to_dict(self) -> dict[str, Any]:
        """Return the ``netpet validate --format json`` contract (keys as issue 17 fixes them)."""
        schemes = []
        for row in self.schemes.iter_rows(named=True):
            name = row["scheme"]
            auc = self.auc.filter(pl.col("scheme") == name).select("time", "auc", "lower", "upper")
            rmst = self.rmst.filter(pl.col("scheme") == name).select("level", "rmst", "se")
            schemes.append({key: row[key] for key in ("scheme", "n", "events", "harrell_c", "harrell_c_lower",
                                                      "harrell_c_upper", "uno_c", "aic")}
                           | {"auc": auc.to_dicts(), "rmst": rmst.to_dicts()})
        return {
            "endpoint": self.endpoint,
            "origin": self.origin,
            "time_unit": self.time_unit,
            "tau": self.tau,
            "excluded": dict(self.excluded),
            "schemes": schemes,
            "comparisons": self.comparisons.select("scheme", "reference", "c_difference", "lower", "upper",
                                                   "p").to_dicts(),
            "optimism": self.optimism.select("scheme", "apparent_c", "optimism", "corrected_c").to_dicts(),
        }


def validate_schemes(
    reg: Registry,
    *,
    endpoint: str = "os",
    schemes: Sequence[str] = ("netpet_group", "karfis", "fdg_status", "who_grade"),
    at: Sequence[float] = (12.0, 36.0, 60.0),
    origin: str = "first-timepoint",
    cohort: str | None = None,
    tau: float | None = None,
    time_unit: str = "months",
    reference: str = "netpet_group",
    bootstrap: int = 200,
    seed: int = 20231,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """Measure and compare the prognostic schemes on one complete-case set of the registry's patients.

    Parameters
    ----------
    reg : Registry
        The registry (read-only is enough).
    endpoint : str
        os, pfs or ttp.
    schemes : sequence of str
        Scheme names (`netpet.analysis.studies.schemes.known_schemes`, `+` combines); the reference is added if missing.
    at : sequence of float
        Times (in `time_unit`) of the time-dependent AUC and of calibration.
    origin : str
        first-timepoint, or diagnosis (delayed entry at the first timepoint: Harrell's C, AIC, the LR test
        and medians only; the IPCW measures, RMST, calibration and the optimism bootstrap assume entry at
        time 0 and are left empty).
    cohort : str, optional
        A saved cohort to restrict the analysis to.
    tau : float, optional
        RMST horizon; default the latest time at which every level of every scheme still has patients.
    reference : str
        The scheme the others are compared with.
    bootstrap, seed : int
        Replicates and seed of the optimism bootstrap (0 replicates: no optimism rows).
    progress : callable, optional
        ``progress(done, total)`` after each bootstrap replicate, for a progress bar.

    Returns
    -------
    ValidationReport
    """
    from netpet.analysis.studies.schemes import resolve_schemes, scheme_frame
    from netpet.registry.cohorts import cohort_members

    if not at or any(not t > 0 for t in at) or (tau is not None and not tau > 0):
        raise AnalysisError(f"times and tau must be positive numbers of {time_unit} (at: {list(at)}, tau: {tau})")
    chosen = resolve_schemes([reference, *[s for s in schemes if s.strip() != reference]])
    patients = cohort_members(reg, cohort) if cohort else None
    data = scheme_frame(reg, chosen, endpoint=endpoint, origin=origin, time_unit=time_unit, patients=patients)
    if reference in data.skipped:
        raise AnalysisError(f"the reference scheme {reference} cannot be measured: {data.skipped[reference]}")
    if data.frame.get_column("event").sum() == 0:
        raise AnalysisError("no events among the analysed patients; the schemes cannot be compared")
    return _measure(data, _study(reg, data, cohort), endpoint=endpoint, origin=origin, time_unit=time_unit,
                    at=tuple(float(t) for t in at), tau=tau, reference=reference, bootstrap=bootstrap, seed=seed,
                    progress=progress)


def _study(reg: Registry, data: SchemeData, cohort: str | None) -> dict[str, Any]:
    """The facts of the study design a TRIPOD methods section states, read from the registry."""
    from netpet.registry.cohorts import registry_state

    dates = reg.query_file("queries", "patient_survival").join(data.frame.select("patient_id"), on="patient_id",
                                                               how="semi")
    return {"registry_patients": int(registry_state(reg)["patients"]), "cohort": cohort,
            "score_source": reg.setting("score_source"),
            "pairing_window_days": int(reg.setting("pairing_window_days")),
            "first_origin_date": dates["origin_date"].min(), "last_origin_date": dates["origin_date"].max(),
            "last_followup_date": dates["followup_end_date"].max()}


def _measure(data: SchemeData, study: dict[str, Any], *, endpoint: str, origin: str, time_unit: str,
             at: tuple[float, ...], tau: float | None, reference: str, bootstrap: int, seed: int,
             progress: Callable[[int, int], None] | None) -> ValidationReport:
    frame = data.frame
    time = frame.get_column("time").to_numpy()
    event = frame.get_column("event").to_numpy().astype(np.int64)
    entry = frame.get_column("entry").to_numpy()
    from_zero = not np.any(entry != 0)  # no delayed entry: every measure is defined
    fitted = [fit_scheme(frame, scheme) for scheme in data.schemes]
    horizon = tau if tau is not None else _default_tau(time, fitted)
    curves, medians = _km_by_level(frame, fitted)
    return ValidationReport(
        endpoint=endpoint, origin=origin, time_unit=time_unit, tau=horizon, at=at, reference=reference,
        bootstrap=bootstrap, seed=seed, excluded=dict(data.excluded), skipped=dict(data.skipped),
        study=study,
        schemes=_scheme_rows(fitted, time, event, entry, horizon, from_zero=from_zero),
        auc=_auc_rows(fitted, time, event, at) if from_zero else _empty_auc(),
        medians=medians,
        rmst=_rmst_rows(fitted, time, event, horizon) if from_zero else _empty_rmst(),
        rmst_differences=_rmst_difference_rows(fitted, time, event, horizon) if from_zero else _empty_differences(),
        comparisons=_comparison_rows(fitted, time, event, reference) if from_zero else _empty_comparisons(),
        likelihood_ratio=likelihood_ratio_rows(frame, fitted),
        optimism=optimism_rows(fitted, bootstrap if from_zero else 0, seed, progress),
        calibration=calibration_rows(frame, fitted, at) if from_zero else empty_calibration(),
        curves=curves,
    )


def _default_tau(time: np.ndarray, fitted: Sequence[Fitted]) -> float:
    """The latest time at which every level of every scheme still has a patient under follow-up."""
    return float(min(time[f.level == level].max() for f in fitted for level in f.levels))


def _aic(result: CoxResult) -> float:
    """R's AIC(coxph): -2 log partial likelihood + 2 x the number of coefficients."""
    return -2 * result.loglik + 2 * len(result.coef)


def _scheme_rows(fitted: Sequence[Fitted], time: np.ndarray, event: np.ndarray, entry: np.ndarray,
                 tau: float, *, from_zero: bool) -> pl.DataFrame:
    from netpet.analysis.survival.discrimination import harrell_c, uno_c

    rows = []
    for f in fitted:
        lp = f.result.linear_predictor
        harrell = harrell_c(time, event, lp, entry=None if from_zero else entry)
        uno = uno_c(time, event, lp, tau=tau) if from_zero else None
        rows.append({"scheme": f.scheme.name, "predictors": " + ".join(f.scheme.columns), "n": f.result.n,
                     "events": f.result.events, "harrell_c": harrell.c, "harrell_c_se": harrell.se,
                     "harrell_c_lower": harrell.lower, "harrell_c_upper": harrell.upper,
                     "uno_c": uno.c if uno else None, "uno_c_se": uno.se if uno else None,
                     "aic": _aic(f.result), "df": len(f.result.coef)})
    return pl.DataFrame(rows, schema=_SCHEME_COLUMNS, orient="row")


def _auc_rows(fitted: Sequence[Fitted], time: np.ndarray, event: np.ndarray, at: Sequence[float]) -> pl.DataFrame:
    from netpet.analysis.survival.discrimination import time_dependent_auc

    frames = [time_dependent_auc(time, event, f.result.linear_predictor, at)
              .select(pl.lit(f.scheme.name).alias("scheme"), "time", "auc", "se", "lower", "upper")
              for f in fitted]
    return pl.concat(frames)


def _rmst_rows(fitted: Sequence[Fitted], time: np.ndarray, event: np.ndarray, tau: float) -> pl.DataFrame:
    from netpet.analysis.survival.rmst import rmst

    frames = [rmst(time, event, tau, group=f.level, levels=f.levels)
              .select(pl.lit(f.scheme.name).alias("scheme"), pl.col("level").cast(pl.String), "rmst", "se",
                      "lower", "upper")
              for f in fitted]
    return pl.concat(frames) if frames else _empty_rmst()


def _rmst_difference_rows(fitted: Sequence[Fitted], time: np.ndarray, event: np.ndarray,
                          tau: float) -> pl.DataFrame:
    from netpet.analysis.survival.rmst import rmst_differences

    frames = [rmst_differences(time, event, tau, group=f.level, reference=f.levels[0], levels=f.levels)
              .select(pl.lit(f.scheme.name).alias("scheme"), pl.col("level").cast(pl.String),
                      pl.col("reference").cast(pl.String), "difference", "se", "lower", "upper", "p")
              for f in fitted]
    return pl.concat(frames) if frames else _empty_differences()


def _comparison_rows(fitted: Sequence[Fitted], time: np.ndarray, event: np.ndarray,
                     reference: str) -> pl.DataFrame:
    from netpet.analysis.survival.discrimination import compare_concordance

    if len(fitted) < 2:
        return _empty_comparisons()
    scores = {f.scheme.name: f.result.linear_predictor for f in fitted}
    return compare_concordance(time, event, scores, reference=reference).select(
        "scheme", "reference", "c_difference", "lower", "upper", "p")


def _km_by_level(frame: pl.DataFrame, fitted: Sequence[Fitted]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """KM curves and medians (with CIs, R's log intervals) of each scheme's levels."""
    from netpet.analysis.survival.km import km_fit

    curves, medians = [], []
    for f in fitted:
        km = km_fit(frame.select("entry", "time", "event", group=pl.Series(f.level)), levels=f.levels)
        curves.append(km.table.select(pl.lit(f.scheme.name).alias("scheme"), pl.all()))
        medians.append(km.summary.select(pl.lit(f.scheme.name).alias("scheme"), pl.col("group").alias("level"),
                                         pl.exclude("group")))
    return pl.concat(curves), pl.concat(medians)


def _empty_auc() -> pl.DataFrame:
    return pl.DataFrame(schema={"scheme": pl.String, "time": pl.Float64, "auc": pl.Float64, "se": pl.Float64,
                                "lower": pl.Float64, "upper": pl.Float64})


def _empty_rmst() -> pl.DataFrame:
    return pl.DataFrame(schema={"scheme": pl.String, "level": pl.String, "rmst": pl.Float64, "se": pl.Float64,
                                "lower": pl.Float64, "upper": pl.Float64})


def _empty_differences() -> pl.DataFrame:
    return pl.DataFrame(schema={"scheme": pl.String, "level": pl.String, "reference": pl.String,
                                "difference": pl.Float64, "se": pl.Float64, "lower": pl.Float64,
                                "upper": pl.Float64, "p": pl.Float64})


def _empty_comparisons() -> pl.DataFrame:
    return pl.DataFrame(schema={"scheme": pl.String, "reference": pl.String, "c_difference": pl.Float64,
                                "lower": pl.Float64, "upper": pl.Float64, "p": pl.Float64})


