"""Harrell's bootstrap optimism correction of a model's C index, as rms::validate.

Each replicate resamples the patients with replacement, refits the model on the sample, and takes the
C of that refit on the sample minus its C on the original patients; the mean over replicates is the
optimism, and the corrected C is the apparent C (the model fitted and scored on all patients) minus
it. A replicate whose fit fails (no events, a singular design) is left out and counted, as rms does.
Draws come from numpy's seeded Generator, so a seed reproduces the result. What is fitted and how it
is scored is the caller's (`FitAndScore`); `cox_harrell_c` is the Cox model with Harrell's C that
rms::validate(cph) uses.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.concordance import concordance_index
from netpet.analysis.survival.cox import CoxConvergenceWarning, fit_cox

Arrays = Mapping[str, np.ndarray]
#: Fit a model on the given patients and return the function that scores any patients' data with it.
FitAndScore = Callable[[Arrays], Callable[[Arrays], float]]
DEFAULT_SEED = 20261205


@dataclass(frozen=True)
class Optimism:
    """Apparent C, its mean bootstrap optimism, the corrected C, and the replicates used and failed."""

    apparent: float
    optimism: float
    corrected: float
    replicates: int
    failed: int = 0


def _rows(data: Arrays, index: np.ndarray) -> dict[str, np.ndarray]:
    return {name: np.asarray(values)[index] for name, values in data.items()}


def optimism_corrected(
    fit_and_score: FitAndScore,
    data_arrays: Arrays,
    *,
    replicates: int = 200,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    indices: np.ndarray | None = None,
) -> Optimism:
    """Return the optimism-corrected C of the model `fit_and_score` fits, by Harrell's bootstrap.

    Parameters
    ----------
    fit_and_score : FitAndScore
        Fits the model to a dict of equal-length arrays (one row per patient) and returns a scorer that
        gives the model's C on any such dict, e.g. ``cox_harrell_c(["group_p5", "ki67"])``.
    data_arrays : mapping of str to ndarray
        The patients: every array has one entry per patient.
    replicates : int
        Bootstrap samples (rms::validate's B).
    seed : int
        Seed of numpy's default Generator; the same seed gives the same samples and result.
    progress : callable, optional
        Called as progress(done, total) after each replicate (for a progress bar).
    indices : ndarray, optional
        Replicates x patients row indices to use instead of random draws (to replay another tool's samples).

    Returns
    -------
    Optimism
    """
    n = len(next(iter(data_arrays.values())))
    if any(len(values) != n for values in data_arrays.values()):
        raise AnalysisError("every array in data_arrays must have one entry per patient")
    if indices is None:
        indices = np.random.default_rng(seed).integers(0, n, size=(replicates, n))
    apparent = fit_and_score(data_arrays)(data_arrays)
    differences = []
    for done, index in enumerate(indices, start=1):
        sample = _rows(data_arrays, index)
        try:
            score = fit_and_score(sample)
            differences.append(score(sample) - score(data_arrays))
        except (AnalysisError, np.linalg.LinAlgError):
            pass
        if progress is not None:
            progress(done, len(indices))
    optimism = float(np.mean(differences)) if differences else float("nan")
    return Optimism(apparent=float(apparent), optimism=optimism, corrected=float(apparent) - optimism,
                    replicates=len(differences), failed=len(indices) - len(differences))


def cox_harrell_c(columns: Sequence[str], *, ties: Literal["efron", "breslow"] = "efron") -> FitAndScore:
    """Return a FitAndScore: a Cox model of (time, event) on numeric `columns`, scored by Harrell's C of
    its linear predictor (higher = higher risk), as rms::validate(cph(...)) does with Dxy = 2 C - 1.

    Categorical predictors are passed as 0/1 indicator columns, so every sample has the same design.
    """
    columns = list(columns)

    def fit(train: Arrays) -> Callable[[Arrays], float]:
        frame = pl.DataFrame({name: np.asarray(train[name], dtype=float) for name in ["time", "event", *columns]})
        with warnings.catch_warnings():  # monotone likelihood in a sample: the fit stands, as in rms
            warnings.simplefilter("ignore", CoxConvergenceWarning)
            coef = fit_cox(frame, terms=columns, ties=ties).coef

        def score(data: Arrays) -> float:
            risk = np.column_stack([np.asarray(data[name], dtype=float) for name in columns]) @ coef
            return float(concordance_index(data["time"], data["event"], risk, reverse=True)[0])

        return score

    return fit
