"""The Cox analysis `netpet cox` prints: a model fitted on analysis rows, with its concordance, PH test and exclusions.

Orchestrates the survival engine (`netpet.analysis.survival.cox`, `.concordance`, `.phtest`) over a `SurvivalData`
from `netpet.analysis.studies.frames`; the frozen `CoxReport` it returns gives, by `to_dict()`, the contract of
`netpet cox --format json`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.cox_warnings import estimable, fit_warnings
from netpet.analysis.studies.frames import SurvivalData, analysed_rows
from netpet.analysis.survival.concordance import Concordance, concordance_index
from netpet.analysis.survival.cox import CoxResult, ModelTest, cox_coefficients, fit_cox
from netpet.analysis.survival.phtest import ph_test


@dataclass(frozen=True)
class CoxTerm:
    """One model column: its hazard ratio with confidence limits, z and p, and whether R's estimate is defined.

    `robust_se` is None unless the variance is robust (then z, p and the limits use it, as R's summary.coxph).
    """

    term: str
    coef: float
    se: float
    hr: float
    hr_lower: float
    hr_upper: float
    z: float
    p: float
    robust_se: float | None = None
    estimable: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the term as `netpet cox --format json` writes it (robust_se only for a robust variance)."""
        row: dict[str, Any] = {"term": self.term, "coef": self.coef, "se": self.se, "hr": self.hr,
                               "hr_lower": self.hr_lower, "hr_upper": self.hr_upper, "z": self.z, "p": self.p}
        if self.robust_se is not None:
            row["robust_se"] = self.robust_se
        row["estimable"] = self.estimable
        return row


@dataclass(frozen=True)
class PHTerm:
    """One row of the proportional-hazards test (R's cox.zph): a term, or GLOBAL."""

    term: str
    chisq: float
    df: int
    p: float


@dataclass(frozen=True)
class CoxSummary:
    """A fitted model as `netpet cox` shows it: coefficients, n, events, loglik, concordance, model tests and
    PH test, plus ties, reference levels, robust, iterations, convergence and notes.

    `n` counts rows ((start, stop] intervals in a time-varying model); `tests` holds likelihood_ratio, wald,
    score and, with a robust variance, robust_score; `ph_test` is empty where R's cox.zph stops (the reason is
    in `notes`).
    """

    terms: tuple[CoxTerm, ...]
    n: int
    events: int
    loglik: float
    loglik_null: float
    concordance: float
    concordance_se: float
    tests: Mapping[str, ModelTest]
    ph_test: tuple[PHTerm, ...]
    ties: str
    reference: Mapping[str, str]
    robust: bool
    iterations: int
    converged: bool
    notes: tuple[str, ...]

    @property
    def coefficients(self) -> pl.DataFrame:
        """The terms as a frame, one row per model column (the columns of `CoxTerm.to_dict`)."""
        return pl.DataFrame([t.to_dict() for t in self.terms])

    @property
    def test_table(self) -> pl.DataFrame:
        """The model tests as a frame: test, chisq, df, p."""
        return pl.DataFrame([{"test": name, **_test_entry(test)} for name, test in self.tests.items()])

    @property
    def ph_table(self) -> pl.DataFrame:
        """The PH test as a frame: term, chisq, df, p (no rows where R's cox.zph stops)."""
        return pl.DataFrame([_ph_entry(row) for row in self.ph_test])

    @property
    def not_estimable(self) -> list[str]:
        """The terms whose estimate R leaves undefined (no convergence, an infinite or NA coefficient)."""
        return [t.term for t in self.terms if not t.estimable]

    def to_dict(self) -> dict[str, Any]:
        """Return the model part of the ``netpet cox --format json`` contract, keys in their fixed order."""
        return {
            "terms": [t.to_dict() for t in self.terms],
            "n": self.n,
            "events": self.events,
            "loglik": self.loglik,
            "loglik_null": self.loglik_null,
            "concordance": self.concordance,
            "concordance_se": self.concordance_se,
            "tests": {name: _test_entry(test) for name, test in self.tests.items()},
            "ph_test": [_ph_entry(row) for row in self.ph_test],
            "ties": self.ties,
            "reference": dict(self.reference),
            "robust": self.robust,
            "iterations": self.iterations,
            "converged": self.converged,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class CoxReport(CoxSummary):
    """Everything `netpet cox` shows: the fitted model (`CoxSummary`) with the patients it leaves out, its
    endpoint, origin and time unit, the patients in the model, and R's warnings about the fit."""

    excluded: Mapping[str, int]
    endpoint: str
    origin: str
    time_unit: str
    warnings: tuple[str, ...]
    patients: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON contract of ``netpet cox --format json`` (the model, then provenance and warnings)."""
        return {
            **super().to_dict(),
            "excluded": dict(self.excluded),
            "endpoint": self.endpoint,
            "origin": self.origin,
            "time_unit": self.time_unit,
            "warnings": list(self.warnings),
            "patients": self.patients,
        }


def cox_concordance(result: CoxResult) -> Concordance:
    """Return the concordance of a Cox model's linear predictor and its SE, as R's ``fit$concordance``.

    R scores a Cox model with ``reverse = TRUE`` (a higher risk score should die sooner), within strata,
    with the influence summed within clusters when the model has them.
    """
    return concordance_index(
        result.time, result.event, result.linear_predictor, result.strata,
        entry=result.entry, cluster=result.cluster, reverse=True,
    )


def _test_entry(test: ModelTest) -> dict[str, float | int]:
    return {"chisq": test.chisq, "df": test.df, "p": test.p}


def _ph_entry(row: PHTerm) -> dict[str, Any]:
    return {"term": row.term, "chisq": row.chisq, "df": row.df, "p": row.p}


def cox_summary(result: CoxResult) -> CoxSummary:
    """Summarise a fitted model: coefficients (each marked estimable or not), concordance, tests and PH test.

    A term is not estimable where R's estimate is undefined (no convergence, an infinite or NA coefficient;
    `netpet.analysis.studies.cox_warnings.estimable`). Where R's cox.zph stops, there is no PH test and the
    reason is added to the notes.
    """
    c, c_se = cox_concordance(result)
    notes = list(result.notes)
    try:
        ph = tuple(PHTerm(**row) for row in ph_test(result).to_dicts())
    except AnalysisError as exc:  # R's cox.zph stops on this model: no PH test, and the reason is said
        ph = ()
        notes.append(str(exc))
    defined = estimable(result.columns, result.coef, result.var, converged=result.converged, notes=result.notes)
    terms = tuple(CoxTerm(**row, estimable=ok)
                  for row, ok in zip(cox_coefficients(result).to_dicts(), defined, strict=True))
    tests = {"likelihood_ratio": result.likelihood_ratio, "wald": result.wald, "score": result.score}
    if result.robust_score is not None:
        tests["robust_score"] = result.robust_score
    return CoxSummary(
        terms=terms, n=result.n, events=result.events, loglik=result.loglik, loglik_null=result.loglik_null,
        concordance=c, concordance_se=c_se, tests=tests, ph_test=ph, ties=result.ties,
        reference=dict(result.reference), robust=result.robust, iterations=result.iterations,
        converged=result.converged, notes=tuple(notes),
    )


def cox_analysis(
    survival: SurvivalData,
    *,
    covariates: Sequence[str] = (),
    reference: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    strata: str | None = None,
    cluster: str | None = None,
    robust: bool = False,
) -> CoxReport:
    """Fit the Cox model of `survival.by` (if any) and `covariates` on a `survival_frame` result.

    Returns a `CoxReport`: the `cox_summary` of the fit plus the patients left out (`excluded`, {reason: patients}),
    endpoint, origin and time unit, `patients` (in the model; n counts rows, intervals when time-varying), so that
    every number comes with the patients it leaves out, and `warnings`: what R would warn about the fit
    (non-convergence, infinite coefficients), which every output shows beside it.
    Rows with an empty (entry, time] interval are left out by `netpet.analysis.studies.frames.analysed_rows`, the rule
    `km_report` shares.
    """
    survival = analysed_rows(survival)
    by = survival.by
    frame = survival.frame
    if by and "group" in frame.columns:
        frame = frame.rename({"group": by})
    terms = list(dict.fromkeys([*([by] if by else []), *covariates]))
    if not terms:
        raise AnalysisError("a Cox model needs a grouping (by) or at least one covariate")
    if frame.height == 0 or frame.get_column("event").sum() == 0:
        raise AnalysisError("no events among the analysable patients; a Cox model cannot be fitted")
    with fit_warnings() as raised:  # R's warnings, carried by the report rather than printed
        result = fit_cox(
            frame, terms=terms, reference={by: reference} if by and reference else None, ties=ties,
            strata=strata, cluster=cluster, robust=robust,
        )
        summary = cox_summary(result)
    used = frame.drop_nulls(subset=[t for t in terms if t in frame.columns])
    return CoxReport(
        **{f.name: getattr(summary, f.name) for f in fields(summary)},
        excluded=dict(survival.excluded), endpoint=survival.endpoint, origin=survival.origin,
        time_unit=survival.time_unit, warnings=tuple(raised),
        # n counts rows: (start, stop] intervals in a time-varying model, so the patients are counted apart.
        patients=used["patient_id"].n_unique() if "patient_id" in used.columns else result.n,
    )
