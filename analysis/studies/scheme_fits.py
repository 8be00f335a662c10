"""Each scheme's Cox fit on the analysed rows, with its patients' levels, and the measures that refit or resample
it: the likelihood-ratio test of adding the NETPET group, Harrell's bootstrap optimism, and calibration.

Part of `netpet.analysis.studies.validation` (which reports them); kept apart because these refit the models,
while the rest of the validation reads one fit per scheme.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from netpet.analysis.studies.schemes import Scheme

if TYPE_CHECKING:
    from netpet.analysis.survival.cox import CoxResult

#: Level names of a scheme grouped by thirds of its linear predictor.
RISK_LEVELS = ("low", "middle", "high")


@dataclass(frozen=True)
class Fitted:
    """One scheme's Cox fit on the analysed rows and its patients' levels."""

    scheme: Scheme
    result: CoxResult
    x: np.ndarray
    level: np.ndarray
    levels: list[str]


def fit_scheme(frame: pl.DataFrame, scheme: Scheme) -> Fitted:
    """Fit the scheme's Cox model and place each patient in a level (its category, or a third of risk)."""
    from netpet.analysis.survival.cox import CoxConvergenceWarning, fit_cox
    from netpet.analysis.survival.design import model_matrix

    with warnings.catch_warnings():  # kept in the result's notes
        warnings.simplefilter("ignore", CoxConvergenceWarning)
        result = fit_cox(frame, terms=scheme.columns, levels=scheme.levels)
    x = model_matrix(frame, scheme.columns, levels=scheme.levels).matrix
    if scheme.is_grouping:
        column = scheme.columns[0]
        levels = [lv for lv in scheme.levels[column] if lv in set(frame.get_column(column).to_list())]
        return Fitted(scheme, result, x, frame.get_column(column).to_numpy().astype(str), levels)
    lp = result.linear_predictor
    cuts = np.quantile(lp, [1 / 3, 2 / 3])
    thirds = np.asarray(RISK_LEVELS)[np.searchsorted(cuts, lp, side="left").clip(0, 2)]
    return Fitted(scheme, result, x, thirds, [lv for lv in RISK_LEVELS if lv in set(thirds.tolist())])


def likelihood_ratio_rows(frame: pl.DataFrame, fitted: Sequence[Fitted]) -> pl.DataFrame:
    """For each clinical scheme, the LR test of adding the NETPET group (R's anova(fit, fit_plus_group))."""
    from scipy.special import chdtrc

    from netpet.analysis.survival.cox import CoxConvergenceWarning, fit_cox

    rows = []
    for f in fitted:
        if not f.scheme.is_clinical:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoxConvergenceWarning)
            bigger = fit_cox(frame, terms=[*f.scheme.columns, "netpet_group"], levels=f.scheme.levels)
        chisq = 2 * (bigger.loglik - f.result.loglik)
        df = len(bigger.coef) - len(f.result.coef)
        rows.append({"scheme": f.scheme.name, "added": "netpet_group", "chisq": chisq, "df": df,
                     "p": float(chdtrc(df, chisq))})
    return pl.DataFrame(rows, schema={"scheme": pl.String, "added": pl.String, "chisq": pl.Float64,
                                      "df": pl.Int64, "p": pl.Float64}, orient="row")


def _mean_predicted(level: np.ndarray, predicted: np.ndarray, at: Sequence[float]) -> pl.DataFrame:
    """Per level and time: patients and mean predicted survival, summed in row order (polars' parallel
    group-by sums in an order that varies from run to run, and so did the last digit of calibration.csv)."""
    levels, inverse = np.unique(level, return_inverse=True)
    n = np.bincount(inverse, minlength=levels.size)
    sums = np.column_stack([np.bincount(inverse, weights=predicted[:, j], minlength=levels.size)
                            for j in range(predicted.shape[1])])
    return pl.DataFrame({"level": np.repeat(levels, len(at)), "time": np.tile(np.asarray(at, float), levels.size),
                         "n": np.repeat(n, len(at)), "predicted": (sums / n[:, None]).reshape(-1)})


def calibration_rows(frame: pl.DataFrame, fitted: Sequence[Fitted], at: Sequence[float]) -> pl.DataFrame:
    """Mean Cox-predicted survival against the KM estimate (95% CI) in each level at each time."""
    from netpet.analysis.survival.km import km_fit, survival_at
    from netpet.analysis.survival.prediction import cox_predicted_survival

    frames = []
    for f in fitted:
        means = _mean_predicted(f.level, cox_predicted_survival(f.result, list(at)), at)
        km = km_fit(frame.select("time", "event", group=pl.Series(f.level)), levels=f.levels)
        observed = survival_at(km, at).select(pl.col("group").alias("level"), "time",
                                              pl.col("surv").alias("observed"),
                                              pl.col("lower").alias("observed_lower"),
                                              pl.col("upper").alias("observed_upper"))
        frames.append(means.join(observed, on=["level", "time"], how="inner")
                      .select(pl.lit(f.scheme.name).alias("scheme"), "time", "level", pl.col("n").cast(pl.Int64),
                              "predicted", "observed", "observed_lower", "observed_upper"))
    if not frames:
        return empty_calibration()
    return _ordered(pl.concat(frames), fitted)


def _ordered(table: pl.DataFrame, fitted: Sequence[Fitted]) -> pl.DataFrame:
    """Rows in scheme order, then time, then level order."""
    rank = {(f.scheme.name, level): (i, j) for i, f in enumerate(fitted) for j, level in enumerate(f.levels)}
    keys = [rank[(s, lv)] for s, lv in zip(table["scheme"], table["level"], strict=True)]
    times = table["time"].to_list()
    return table[sorted(range(table.height), key=lambda i: (keys[i][0], times[i], keys[i][1]))]


def optimism_rows(fitted: Sequence[Fitted], replicates: int, seed: int,
                   progress: Callable[[int, int], None] | None) -> pl.DataFrame:
    """Harrell's bootstrap optimism of each scheme's C (as rms::validate), the same seeded samples for each."""
    from netpet.analysis.survival.optimism import cox_harrell_c, optimism_corrected

    schema = {"scheme": pl.String, "apparent_c": pl.Float64, "optimism": pl.Float64, "corrected_c": pl.Float64,
              "replicates": pl.Int64}
    if replicates <= 0:
        return pl.DataFrame(schema=schema)
    total = replicates * len(fitted)
    rows, done_before = [], {}
    for i, f in enumerate(fitted):
        def step(done: int, _total: int, offset: int = i * replicates) -> None:
            if progress is not None:
                progress(offset + done, total)

        # Schemes with the same model matrix (Karfis and the NETPET group from the same reads) have the same
        # samples, fits and scores: the first one's result is theirs too.
        key = (f.x.shape, f.x.tobytes())
        if key not in done_before:
            # The model matrix's columns (indicators of levels), so every sample has the same design.
            columns = [f"x{j}" for j in range(f.x.shape[1])]
            arrays = {"time": f.result.time, "event": f.result.event} | dict(zip(columns, f.x.T, strict=True))
            done_before[key] = optimism_corrected(cox_harrell_c(columns), arrays, replicates=replicates, seed=seed,
                                                  progress=step)
        else:
            step(replicates, replicates)
        result = done_before[key]
        rows.append({"scheme": f.scheme.name, "apparent_c": result.apparent, "optimism": result.optimism,
                     "corrected_c": result.corrected, "replicates": result.replicates})
    return pl.DataFrame(rows, schema=schema, orient="row")


def empty_calibration() -> pl.DataFrame:
    return pl.DataFrame(schema={"scheme": pl.String, "time": pl.Float64, "level": pl.String, "n": pl.Int64,
                                "predicted": pl.Float64, "observed": pl.Float64, "observed_lower": pl.Float64,
                                "observed_upper": pl.Float64})
