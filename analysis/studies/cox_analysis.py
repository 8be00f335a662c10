"""The Cox analysis `netpet cox` prints: a model fitted on analysis rows, with its concordance, PH test and exclusions.

Orchestrates the survival engine (`netpet.analysis.survival.cox`, `.concordance`, `.phtest`) over a `SurvivalData`
from `netpet.analysis.studies.frames`; the dict it returns is the contract of `netpet cox --format json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.cox_warnings import estimable, fit_warnings
from netpet.analysis.studies.frames import SurvivalData, analysed_rows
from netpet.analysis.survival.concordance import Concordance, concordance_index
from netpet.analysis.survival.cox import CoxResult, ModelTest, cox_coefficients, fit_cox
from netpet.analysis.survival.phtest import ph_test


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


def cox_summary(result: CoxResult) -> dict:
    """Return the fitted model as one JSON-ready dict: coefficients, n, events, loglik, concordance, tests,
    PH test, plus ties, reference levels, iterations, robust and notes.

    The keys "terms", "n", "events", "loglik", "concordance", "concordance_se", "tests" and "ph_test" are
    the contract of ``netpet cox --format json``. Each term has "estimable": false where R's estimate is
    undefined (no convergence, an infinite or NA coefficient; `netpet.analysis.studies.cox_warnings.estimable`).
    """
    c, c_se = cox_concordance(result)
    notes = list(result.notes)
    try:
        ph = ph_test(result).to_dicts()
    except AnalysisError as exc:  # R's cox.zph stops on this model: no PH test, and the reason is said
        ph = []
        notes.append(str(exc))
    defined = estimable(result.columns, result.coef, result.var, converged=result.converged, notes=result.notes)
    terms = [{**row, "estimable": ok} for row, ok in zip(cox_coefficients(result).to_dicts(), defined, strict=True)]
    tests = {
        "likelihood_ratio": _test_entry(result.likelihood_ratio),
        "wald": _test_entry(result.wald),
        "score": _test_entry(result.score),
    }
    if result.robust_score is not None:
        tests["robust_score"] = _test_entry(result.robust_score)
    return {
        "terms": terms,
        "n": result.n,
        "events": result.events,
        "loglik": result.loglik,
        "loglik_null": result.loglik_null,
        "concordance": c,
        "concordance_se": c_se,
        "tests": tests,
        "ph_test": ph,
        "ties": result.ties,
        "reference": result.reference,
        "robust": result.robust,
        "iterations": result.iterations,
        "converged": result.converged,
        "notes": notes,
    }


def cox_analysis(
    survival: SurvivalData,
    *,
    covariates: Sequence[str] = (),
    reference: str | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    strata: str | None = None,
    cluster: str | None = None,
    robust: bool = False,
) -> dict:
    """Fit the Cox model of `survival.by` (if any) and `covariates` on a `survival_frame` result.

    Returns `cox_summary` of the fit plus "excluded" ({reason: patients}), "endpoint", "origin",
    "time_unit", "patients" (patients in the model; n counts rows, intervals when time-varying), so that every number
    comes with the patients it leaves out, and "warnings": what R would
    warn about the fit (non-convergence, infinite coefficients), which every output shows beside it.
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
    with fit_warnings() as raised:  # R's warnings, carried by the summary rather than printed
        result = fit_cox(
            frame, terms=terms, reference={by: reference} if by and reference else None, ties=ties,
            strata=strata, cluster=cluster, robust=robust,
        )
        summary = cox_summary(result)
    used = frame.drop_nulls(subset=[t for t in terms if t in frame.columns])
    summary.update(
        excluded=dict(survival.excluded), endpoint=survival.endpoint, origin=survival.origin,
        time_unit=survival.time_unit, warnings=raised,
        # n counts rows: (start, stop] intervals in a time-varying model, so the patients are counted apart.
        patients=used["patient_id"].n_unique() if "patient_id" in used.columns else result.n,
    )
    return summary
