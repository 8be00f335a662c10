"""Cox proportional-hazards models fitted as R's coxph, and their tidy coefficient and test tables.

Newton-Raphson exactly as R's coxph.fit/agreg.fit (start at beta = 0; stop when the relative change in the
log partial likelihood is below 1e-9; at most 20 iterations; shrink the step when the likelihood falls), with
Efron or Breslow ties, strata, (entry, time] counting-process rows and the robust (infinitesimal jackknife)
variance grouped by cluster. Steps, the inverse information and the Wald tests use R's cholesky2 with
toler.chol (`netpet.analysis.survival.cholesky`), so a collinear or constant column is aliased as in R: its
coefficient is
NaN ("not estimable"), its variance row 0, and every test's df counts the estimable coefficients. Rows are
chosen by R's rules (`netpet.analysis.survival.usable_rows`). Agreement with R is tested in tests/test_cox.py against
tests/reference/cox, and at the edges in tests/test_cox_edges.py and tests/test_rsurvival_port.py.

Why not lifelines' CoxPHFitter: it has no Breslow ties, steps by 0.95 with precision 1e-7 (so its estimates
differ from R's in the 6th digit), centres all columns, and ignores ties in the robust variance.
Like R, the covariates are centred internally; the coefficients, tests and concordance do not depend on it.
The risk-set arithmetic lives in `netpet.analysis.survival.risksets`; the PH test in `netpet.analysis.survival.phtest`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.cholesky import wald_statistic
from netpet.analysis.survival.design import model_matrix
from netpet.analysis.survival.newton import EPS, MAX_ITER, NewtonFit, newton_raphson
from netpet.analysis.survival.risksets import (
    RiskSets,
    build_risk_sets,
    partial_likelihood,
    score_residuals,
    workspace,
)
from netpet.analysis.survival.threads import one_blas_thread
from netpet.analysis.survival.usable_rows import usable_rows

TOLER_INF = EPS**0.5  # coxph.control(toler.inf)


class CoxConvergenceWarning(UserWarning):
    """The Newton-Raphson iterations ran out, or a coefficient may be infinite (monotone likelihood)."""


@dataclass(frozen=True)
class ModelTest:
    """A chi-square model test: statistic, degrees of freedom and p value."""

    chisq: float
    df: int
    p: float


@dataclass(frozen=True)
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


def _chisq_test(stat: float, df: int) -> ModelTest:
    from scipy.special import chdtrc  # the chi-square upper tail; scipy.stats takes a second to import

    return ModelTest(float(stat), int(df), float(chdtrc(df, stat)) if df > 0 else float("nan"))


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


def _convergence_notes(fit: NewtonFit, coef: np.ndarray, lp: np.ndarray, columns: list[str], *, counting: bool
                       ) -> list[str]:
    """Return R's warnings for a fit that ran out of iterations or has a coefficient heading to infinity
    (coxph.fit's test, or agreg.fit's for (entry, time] rows)."""
    infs = np.abs(fit.u @ fit.var)
    if not fit.converged:
        notes = [f"Ran out of iterations ({MAX_ITER}) and did not converge"]
        if np.max(lp, initial=0.0) > 500 or not np.all(np.isfinite(infs)):
            notes.append("One or more coefficients may be infinite")
        return notes
    size = 1 + np.abs(coef) if counting else np.abs(coef)
    flagged = ~np.isfinite(fit.u) | ((counting or infs > EPS) & (infs > TOLER_INF * size))
    return [
        f"Loglik converged before variable {columns[j]}; coefficient may be infinite (monotone likelihood)"
        for j in np.flatnonzero(flagged)
    ]


def _dummies(x: np.ndarray) -> np.ndarray:
    """Return which columns hold only -1, 0 and 1 (R's `nocenter`: neither centred nor scaled)."""
    return np.all(np.isin(x, (-1.0, 0.0, 1.0)), axis=0)


def _scale(x: np.ndarray, stratum: np.ndarray, dummy: np.ndarray, centred: np.ndarray, *, counting: bool
           ) -> np.ndarray:
    """Return R's column scaling (coxfit6/agfit4): n / sum |x - mean|, the mean per stratum for agfit4;
    1 for columns of -1/0/1 (R's `nocenter`) and constant columns. `centred` is x less its column means
    (the risk sets' x, so as not to centre twice), used unless `counting`."""
    if counting:
        sums = np.zeros((int(stratum.max()) + 1, x.shape[1]))
        np.add.at(sums, stratum, x)
        centred = x - (sums / np.bincount(stratum)[:, None])[stratum]
    with np.errstate(over="ignore"):
        spread = np.abs(centred).sum(axis=0)
    with np.errstate(divide="ignore"):
        return np.where(dummy | (spread == 0), 1.0, x.shape[0] / spread)


def _check_finite(fit: NewtonFit, columns: list[str], events: int) -> None:
    """Raise when the fit gives a non-finite coefficient or likelihood, naming the likely causes."""

    bad = [columns[j] for j in np.flatnonzero(~np.isfinite(fit.beta) & ~fit.aliased)]
    if bad or not np.isfinite(fit.loglik):
        what = f"coefficient of {', '.join(bad)}" if bad else "log partial likelihood"
        raise AnalysisError(
            f"the Cox fit gave a non-finite {what}: likely causes are separation (a covariate or level "
            "that perfectly predicts who has an event first), a covariate constant within strata, or too few "
            f"events ({events}) for the {len(columns)} model columns"
        )


def _linear_predictor(x: np.ndarray, coef: np.ndarray, dummy: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Return x @ coef centred as R's fit$linear.predictors: at the column `means`, except `dummy` columns
    (values all -1, 0 or 1), which R leaves uncentred (coxph's `nocenter`)."""
    means = np.where(dummy, 0.0, means)
    return (x - means) @ coef


def _check_design_finite(matrix: np.ndarray, columns: list[str]) -> None:
    """Refuse an infinite covariate, as R's coxph ("data contains an infinite predictor")."""
    infinite = ~np.isfinite(matrix)
    if infinite.any():
        row, col = (int(i[0]) for i in np.nonzero(infinite))
        raise AnalysisError(f"column {columns[col]}: an infinite value (in row {row + 1} of the complete "
                            "rows); a Cox model needs finite covariates")


def _robust_variance(
    rs: RiskSets, cluster_codes: np.ndarray, estimable: np.ndarray, naive_var: np.ndarray
) -> tuple[np.ndarray, ModelTest]:
    """The infinitesimal-jackknife variance summed within clusters, and the robust score test at beta = 0."""
    dfbeta = _collapse(score_residuals(rs, estimable) @ naive_var, cluster_codes)
    resid0 = _collapse(score_residuals(rs, np.zeros(rs.p)), cluster_codes)
    return dfbeta.T @ dfbeta, _chisq_test(*wald_statistic(resid0.T @ resid0, resid0.sum(axis=0)))


def _check_arguments(ties: str, terms: Sequence[str]) -> None:
    """Refuse an unknown ties method or a model without terms before reading any row."""
    if ties not in ("efron", "breslow"):
        raise AnalysisError(f"unknown ties method {ties!r}; choose efron or breslow")
    if not terms:
        raise AnalysisError("a Cox model needs at least one term")


def _survival_arrays(data: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Return time, event and entry; entry is None when absent or all 0 (then rows are not (entry, time] intervals)."""
    time = data.get_column("time").cast(pl.Float64).to_numpy()
    event = data.get_column("event").cast(pl.Int64).to_numpy()
    entry = data.get_column("entry").cast(pl.Float64).to_numpy() if "entry" in data.columns else None
    if entry is not None and not np.any(entry != 0):
        entry = None
    return time, event, entry


def _aliased_notes(aliased: np.ndarray, columns: Sequence[str]) -> list[str]:
    """Name the aliased columns, as R's NA coefficients ("X matrix deemed to be singular", no longer a warning)."""
    if not aliased.any():
        return []
    names = ", ".join(np.array(columns)[aliased])
    return [f"Not estimable (collinear with other terms, or constant): {names}"]


def _singular_robust_notes(wald: ModelTest, estimable: int, cluster_codes: np.ndarray | None) -> list[str]:
    """Say when a robust variance (clusters given) is singular, so the tests use R's generalised inverse."""
    if cluster_codes is None or wald.df >= estimable:
        return []
    clusters = int(cluster_codes.max()) + 1
    return [f"The robust variance is singular ({clusters} clusters for {estimable} coefficients): the "
            f"Wald and robust score tests use a generalised inverse on {wald.df} df (R's coxph.wtest)"]


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
    _check_arguments(ties, terms)
    strata_cols = _as_list(strata)
    needed = ["time", "event", *(["entry"] if "entry" in data.columns else []), *terms, *strata_cols,
              *([cluster] if cluster else [])]
    data, notes = usable_rows(data, needed)
    if data.height == 0 or data.get_column("event").cast(pl.Int64).sum() == 0:
        raise AnalysisError("no events among the rows; a Cox model cannot be fitted")
    design = model_matrix(data, terms, reference=reference, levels=levels)
    _check_design_finite(design.matrix, design.columns)
    time, event, entry = _survival_arrays(data)
    stratum = _codes(data, strata_cols) if strata_cols else np.zeros(data.height, dtype=np.int64)
    rs = build_risk_sets(entry, time, event, stratum, design.matrix, efron=ties == "efron")
    counting, dummy = entry is not None, _dummies(design.matrix)
    work = workspace(rs)
    with one_blas_thread():  # (issue 21: a second BLAS thread idling on after x @ beta costs CPU, no time)
        fit = newton_raphson(lambda beta: partial_likelihood(rs, beta, work), rs.p,
                             _scale(design.matrix, stratum, dummy, rs.x, counting=counting), counting=counting)
        _check_finite(fit, design.columns, int(event.sum()))
        # R's predict and residuals treat an NA coefficient as 0
        estimable = np.where(fit.aliased, 0.0, fit.beta)
        lp = _linear_predictor(design.matrix, estimable, dummy, rs.means)
    aliased = fit.aliased
    coef = np.where(aliased, np.nan, fit.beta)
    naive_var = fit.var
    fit_notes = _convergence_notes(fit, fit.beta, lp, design.columns, counting=counting)
    for note in fit_notes:
        warnings.warn(note, CoxConvergenceWarning, stacklevel=2)
    notes = fit_notes + _aliased_notes(aliased, design.columns) + notes

    keep = ~aliased
    var, robust_score, cluster_codes = naive_var, None, None
    if robust or cluster:
        cluster_codes = _codes(data, [cluster]) if cluster else np.arange(data.height)
        var, robust_score = _robust_variance(rs, cluster_codes, estimable, naive_var)
    wald = _chisq_test(*_wald(var[np.ix_(keep, keep)], coef[keep]))
    notes += _singular_robust_notes(wald, int(keep.sum()), cluster_codes)

    df = int(keep.sum())
    return CoxResult(
        terms=list(terms), columns=design.columns, assign=design.assign, reference=design.reference,
        coef=coef, var=var, naive_var=naive_var if var is not naive_var else None,
        loglik_null=fit.loglik0, loglik=fit.loglik,
        likelihood_ratio=_chisq_test(2 * (fit.loglik - fit.loglik0), df),
        wald=wald, score=_chisq_test(fit.score_test, df), robust_score=robust_score,
        n=data.height, events=int(event.sum()), iterations=fit.iterations, converged=fit.converged,
        ties=ties, linear_predictor=lp,
        strata=stratum if strata_cols else None,
        cluster=cluster_codes if cluster else None, risk_sets=rs, entry=entry, time=time, event=event,
        notes=notes,
    )


def _wald(var: np.ndarray, coef: np.ndarray) -> tuple[float, int]:
    """Return the Wald statistic and its df as R's coxph.wtest: b^2 / var for one coefficient (NaN when
    the variance is 0, as with strata of one subject), else the cholesky2 generalised inverse and rank."""
    if coef.size == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(coef[0] ** 2 / var[0, 0]), 1
    return wald_statistic(var, coef)


def cox_coefficients(result: CoxResult, *, level: float = 0.95) -> pl.DataFrame:
    """Return one row per model column: term, coef, se, hr, hr_lower, hr_upper, z, p (+ robust_se).

    With a robust variance, `se` stays the model-based SE (R's `se(coef)`), `robust_se` is added, and z,
    p and the interval use the robust SE, as R's summary.coxph does.
    """
    from scipy.special import ndtr, ndtri

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        se_used = np.sqrt(np.diag(result.var))
        se_model = np.sqrt(np.diag(result.naive_var)) if result.naive_var is not None else se_used
        # R keeps a zero variance for an aliased (NA) coefficient; its SE is no more estimable than it.
        se_used, se_model = (np.where(np.isnan(result.coef), np.nan, se) for se in (se_used, se_model))
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
