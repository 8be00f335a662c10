"""Cox proportional-hazards models fitted as R's coxph, and their tidy coefficient and test tables.

Newton-Raphson exactly as R's coxph.fit/agreg.fit (start at beta = 0; stop when the relative change in the
log partial likelihood is below 1e-9; at most 20 iterations; halve the step when the likelihood falls), with
Efron or Breslow ties, strata, (entry, time] counting-process rows and the robust (infinitesimal jackknife)
variance grouped by cluster. Agreement with R is tested in tests/test_cox.py against tests/reference/cox.

Why not lifelines' CoxPHFitter: it has no Breslow ties, steps by 0.95 with precision 1e-7 (so its estimates
differ from R's in the 6th digit), centres all columns, and ignores ties in the robust variance.
Like R, the covariates are centred internally; the coefficients, tests and concordance do not depend on it.
The risk-set arithmetic lives in `netpet.analysis.survival.risksets`; the PH test in `netpet.analysis.survival.phtest`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from netpet.analysis.survival.design import model_matrix
from netpet.analysis.survival.risksets import RiskSets, build_risk_sets, partial_likelihood, score_residuals

if TYPE_CHECKING:
    from netpet.analysis.studies.frames import SurvivalData

EPS = 1e-9  # coxph.control(eps)
TOLER_INF = EPS**0.5  # coxph.control(toler.inf)
MAX_ITER = 20  # coxph.control(iter.max)


class CoxConvergenceWarning(UserWarning):
    """The Newton-Raphson iterations ran out, or a coefficient may be infinite (monotone likelihood)."""


@dataclass(frozen=True)
class ModelTest:
    """A chi-square model test: statistic, degrees of freedom and p value."""

    chisq: float
    df: int
    p: float


@dataclass
class CoxResult:
    """A fitted Cox model: estimates, variances, model tests and what the PH test and concordance need."""

    terms: list[str]
    columns: list[str]
    assign: dict[str, list[int]]
    reference: dict[str, str]
    coef: np.ndarray
    var: np.ndarray
    naive_var: np.ndarray | None
    loglik_null: float
    loglik: float
    likelihood_ratio: ModelTest
    wald: ModelTest
    score: ModelTest
    robust_score: ModelTest | None
    n: int
    events: int
    iterations: int
    converged: bool
    ties: str
    linear_predictor: np.ndarray  # as R's fit$linear.predictors (centring of non-dummy columns)
    strata: np.ndarray | None
    cluster: np.ndarray | None
    risk_sets: RiskSets = field(repr=False)
    entry: np.ndarray | None = field(repr=False)
    time: np.ndarray = field(repr=False)
    event: np.ndarray = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def robust(self) -> bool:
        """Whether `var` is the robust (sandwich) variance."""
        return self.naive_var is not None


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(matrix, vector)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(matrix) @ vector


def _inverse(matrix: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(matrix)


def _chisq_test(stat: float, df: int) -> ModelTest:
    from scipy.special import chdtrc  # the chi-square upper tail; scipy.stats takes a second to import

    return ModelTest(float(stat), int(df), float(chdtrc(df, stat)))


def newton_raphson(rs: RiskSets) -> dict:
    """Maximise the partial likelihood as R's coxfit6/agfit4; return beta, information, logliks and more."""
    beta = np.zeros(rs.p)
    loglik0, u, info = partial_likelihood(rs, beta)
    step = _solve(info, u)
    score_test = float(u @ step)
    new_beta, best, halving = beta + step, loglik0, False
    converged = False
    iteration = 0
    for iteration in range(1, MAX_ITER + 1):
        new_loglik, u, info = partial_likelihood(rs, new_beta)
        # R's test; a log partial likelihood of exactly 0 (a perfect fit) would divide by zero.
        change = abs(1 - best / new_loglik) if new_loglik else abs(best)
        if change <= EPS and not halving:
            converged = True
            break
        if iteration == MAX_ITER:
            break
        if new_loglik < best:
            halving = True
            new_beta = (new_beta + beta) / 2
        else:
            halving, best, beta = False, new_loglik, new_beta
            new_beta = new_beta + _solve(info, u)
    return {"beta": new_beta, "info": info, "u": u, "loglik0": loglik0, "loglik": new_loglik,
            "score_test": score_test, "iterations": iteration, "converged": converged}


def _codes(data: pl.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Return integer codes of the combinations of `columns` (one stratum or cluster per combination)."""
    keys = data.select([pl.col(c).cast(pl.String).fill_null("") for c in columns])
    joined = keys.select(pl.concat_str(pl.all(), separator="\x1f")).to_series()
    return np.unique(joined.to_numpy(), return_inverse=True)[1].astype(np.int64)


def _collapse(resid: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    out = np.zeros((int(cluster.max()) + 1, resid.shape[1]))
    np.add.at(out, cluster, resid)
    return out


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _convergence_notes(fit: dict, coef: np.ndarray, var: np.ndarray, columns: list[str]) -> list[str]:
    """Return R's warnings for a fit that ran out of iterations or has a coefficient heading to infinity."""
    infs = np.abs(fit["u"] @ var)
    if not fit["converged"]:
        return [f"Ran out of iterations ({MAX_ITER}) and did not converge"]
    flagged = ~np.isfinite(fit["u"]) | ((infs > EPS) & (infs > TOLER_INF * np.abs(coef)))
    return [
        f"Loglik converged before variable {columns[j]}; coefficient may be infinite (monotone likelihood)"
        for j in np.flatnonzero(flagged)
    ]


def _linear_predictor(x: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Return x @ coef centred as R's fit$linear.predictors: at the column means, except columns whose
    values are all -1, 0 or 1 (dummies), which R leaves uncentred (coxph's `nocenter`)."""
    dummy = np.all(np.isin(x, (-1.0, 0.0, 1.0)), axis=0)
    means = np.where(dummy, 0.0, x.mean(axis=0))
    return (x - means) @ coef


def fit_cox(
    data: pl.DataFrame,
    *,
    terms: Sequence[str],
    reference: Mapping[str, str] | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    ties: Literal["efron", "breslow"] = "efron",
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    robust: bool = False,
) -> CoxResult:
    """Fit a Cox model to rows with columns time, event (0/1), optional entry, and the `terms`.

    An `entry` column with any non-zero value makes the rows (entry, time] counting-process intervals,
    as R's ``coxph(Surv(entry, time, event) ~ ...)``. Rows with a missing value in a used column are left
    out, as R's default ``na.action``, and counted in `notes`. Non-convergence and monotone likelihood
    raise a `CoxConvergenceWarning` and are kept in `notes`. `robust` without `cluster` treats each row as
    its own cluster, also for (entry, time] rows (where R asks for an `id`).

    Parameters
    ----------
    data : polars.DataFrame
        Columns time, event, optionally entry, the terms, strata and cluster columns.
    terms : sequence of str
        Covariates: categorical (string) terms become indicators `term=level`; numeric ones enter as is.
    reference, levels : mapping, optional
        Reference level and level order per categorical term (see `netpet.analysis.survival.design.model_matrix`).
    ties : {"efron", "breslow"}
        Approximation for tied event times.
    strata : str or sequence of str, optional
        Columns whose combinations each get their own baseline hazard.
    cluster : str, optional
        Column grouping correlated rows; implies the robust variance summed within clusters.
    robust : bool
        Use the robust (infinitesimal jackknife) variance, one row per cluster when no `cluster` is given.

    Returns
    -------
    CoxResult

    Examples
    --------
    >>> import polars as pl
    >>> d = pl.DataFrame({"time": [1.0, 2, 3, 4, 5, 6], "event": [1, 1, 0, 1, 1, 0],
    ...                   "x": [0.5, 1.0, 0.1, 0.7, 0.2, 0.0]})
    >>> round(float(fit_cox(d, terms=["x"]).coef[0]), 6)  # R: coef(coxph(Surv(time, event) ~ x, d))
    3.598127
    """
    from netpet.registry import RegistryError

    if ties not in ("efron", "breslow"):
        raise RegistryError(f"unknown ties method {ties!r}; choose efron or breslow")
    if not terms:
        raise RegistryError("a Cox model needs at least one term")
    strata_cols = _as_list(strata)
    needed = ["time", "event", *(["entry"] if "entry" in data.columns else []), *terms, *strata_cols,
              *([cluster] if cluster else [])]
    not_nan = [~pl.col(c).is_nan() for c in needed if data.schema[c].is_float()]
    complete = data.drop_nulls(subset=needed).filter(pl.all_horizontal(not_nan or [pl.lit(True)]))
    missing = data.height - complete.height
    data = complete
    if data.get_column("event").sum() == 0:
        raise RegistryError("no events among the rows; a Cox model cannot be fitted")
    design = model_matrix(data, terms, reference=reference, levels=levels)
    time = data.get_column("time").cast(pl.Float64).to_numpy()
    event = data.get_column("event").cast(pl.Int64).to_numpy()
    entry = data.get_column("entry").cast(pl.Float64).to_numpy() if "entry" in data.columns else None
    if entry is not None and not np.any(entry != 0):
        entry = None
    stratum = _codes(data, strata_cols) if strata_cols else np.zeros(data.height, dtype=np.int64)
    rs = build_risk_sets(entry, time, event, stratum, design.matrix, efron=ties == "efron")
    fit = newton_raphson(rs)
    coef, naive_var = fit["beta"], _inverse(fit["info"])
    notes = _convergence_notes(fit, coef, naive_var, design.columns)
    for note in notes:
        warnings.warn(note, CoxConvergenceWarning, stacklevel=2)
    if missing:  # as R's na.action = na.omit, which reports "n observations deleted due to missingness"
        notes.append(f"{missing} rows with missing values left out")

    var, robust_score, cluster_codes = naive_var, None, None
    if robust or cluster:
        cluster_codes = _codes(data, [cluster]) if cluster else np.arange(data.height)
        dfbeta = _collapse(score_residuals(rs, coef) @ naive_var, cluster_codes)
        var = dfbeta.T @ dfbeta
        resid0 = _collapse(score_residuals(rs, np.zeros(rs.p)), cluster_codes)
        u0 = resid0.sum(axis=0)
        robust_score = _chisq_test(float(u0 @ _solve(resid0.T @ resid0, u0)), rs.p)

    p = rs.p
    return CoxResult(
        terms=list(terms), columns=design.columns, assign=design.assign, reference=design.reference,
        coef=coef, var=var, naive_var=naive_var if var is not naive_var else None,
        loglik_null=fit["loglik0"], loglik=fit["loglik"],
        likelihood_ratio=_chisq_test(2 * (fit["loglik"] - fit["loglik0"]), p),
        wald=_chisq_test(float(coef @ _solve(var, coef)), p),
        score=_chisq_test(fit["score_test"], p), robust_score=robust_score,
        n=data.height, events=int(event.sum()), iterations=fit["iterations"], converged=fit["converged"],
        ties=ties, linear_predictor=_linear_predictor(design.matrix, coef),
        strata=stratum if strata_cols else None,
        cluster=cluster_codes if cluster else None, risk_sets=rs, entry=entry, time=time, event=event,
        notes=notes,
    )


def cox_coefficients(result: CoxResult, *, level: float = 0.95) -> pl.DataFrame:
    """Return one row per model column: term, coef, se, hr, hr_lower, hr_upper, z, p (+ robust_se).

    With a robust variance, `se` stays the model-based SE (R's `se(coef)`), `robust_se` is added, and z,
    p and the interval use the robust SE, as R's summary.coxph does.
    """
    from scipy.special import ndtr, ndtri

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        se_used = np.sqrt(np.diag(result.var))
        se_model = np.sqrt(np.diag(result.naive_var)) if result.naive_var is not None else se_used
        q = ndtri(0.5 + level / 2)
        z = result.coef / se_used
        columns = {
            "term": result.columns,
            "coef": result.coef,
            "se": se_model,
            "hr": np.exp(result.coef),
            "hr_lower": np.exp(result.coef - q * se_used),
            "hr_upper": np.exp(result.coef + q * se_used),
            "z": z,
            "p": 2 * ndtr(-np.abs(z)),
        }
    if result.robust:
        columns["robust_se"] = se_used
    return pl.DataFrame(columns)


def cox_tests(result: CoxResult) -> pl.DataFrame:
    """Return the model tests as a tidy frame: test, chisq, df, p (R's summary.coxph, in that order)."""
    tests = {"likelihood_ratio": result.likelihood_ratio, "wald": result.wald, "score": result.score}
    if result.robust_score is not None:
        tests["robust_score"] = result.robust_score
    return pl.DataFrame(
        {
            "test": list(tests),
            "chisq": [t.chisq for t in tests.values()],
            "df": [t.df for t in tests.values()],
            "p": [t.p for t in tests.values()],
        }
    )


def _test_entry(test: ModelTest) -> dict[str, float | int]:
    return {"chisq": test.chisq, "df": test.df, "p": test.p}


def cox_summary(result: CoxResult) -> dict:
    """Return the fitted model as one JSON-ready dict: coefficients, n, events, loglik, concordance, tests,
    PH test, plus ties, reference levels, iterations, robust and notes.

    The keys "terms", "n", "events", "loglik", "concordance", "concordance_se", "tests" and "ph_test" are
    the contract of ``netpet cox --format json``.
    """
    from netpet.analysis.studies.cox_analysis import cox_concordance
    from netpet.analysis.survival.phtest import ph_test

    c, c_se = cox_concordance(result)
    tests = {
        "likelihood_ratio": _test_entry(result.likelihood_ratio),
        "wald": _test_entry(result.wald),
        "score": _test_entry(result.score),
    }
    if result.robust_score is not None:
        tests["robust_score"] = _test_entry(result.robust_score)
    return {
        "terms": cox_coefficients(result).to_dicts(),
        "n": result.n,
        "events": result.events,
        "loglik": result.loglik,
        "loglik_null": result.loglik_null,
        "concordance": c,
        "concordance_se": c_se,
        "tests": tests,
        "ph_test": ph_test(result).to_dicts(),
        "ties": result.ties,
        "reference": result.reference,
        "robust": result.robust,
        "iterations": result.iterations,
        "converged": result.converged,
        "notes": list(result.notes),
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

    Returns `cox_summary` of the fit plus "excluded" ({reason: patients}), "endpoint", "origin" and
    "time_unit", so that every number comes with the patients it leaves out.
    """
    from netpet.registry import RegistryError

    by = survival.by
    frame = survival.frame
    if by and "group" in frame.columns:
        frame = frame.rename({"group": by})
    terms = list(dict.fromkeys([*([by] if by else []), *covariates]))
    if not terms:
        raise RegistryError("a Cox model needs a grouping (--by) or at least one covariate")
    if frame.height == 0 or frame.get_column("event").sum() == 0:
        raise RegistryError("no events among the analysable patients; a Cox model cannot be fitted")
    with warnings.catch_warnings():  # the summary carries them as notes
        warnings.simplefilter("ignore", CoxConvergenceWarning)
        result = fit_cox(
            frame, terms=terms, reference={by: reference} if by and reference else None, ties=ties,
            strata=strata, cluster=cluster, robust=robust,
        )
    summary = cox_summary(result)
    summary.update(
        excluded=dict(survival.excluded), endpoint=survival.endpoint, origin=survival.origin,
        time_unit=survival.time_unit,
    )
    return summary
