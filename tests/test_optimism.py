"""netpet.analysis.survival.optimism agrees with rms::validate(cph(...), B) replayed on the same bootstrap samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netpet.analysis.survival.discrimination import harrell_c
from netpet.analysis.survival.optimism import cox_harrell_c, optimism_corrected

REFERENCE = Path(__file__).parent / "reference" / "validation"
REL = 1e-6
CELLTYPES = ["smallcell", "adeno", "large"]

#: case -> (data, model columns); the R calls are in optimism.R.
CASES = {
    "lung": ("lung", ["age", "sex", "ph_ecog"]),
    "pbc": ("pbc", ["log_bili", "albumin", "age", "edema"]),
    "veteran_celltype": ("veteran", CELLTYPES),
}


def arrays(name: str) -> dict[str, np.ndarray]:
    d = pl.read_csv(REFERENCE / f"{name}.csv")
    if name == "pbc":
        d = d.with_columns(pl.col("bili").log().alias("log_bili"))
    if name == "veteran":
        d = d.with_columns(*[(pl.col("celltype") == level).cast(pl.Int64).alias(level) for level in CELLTYPES])
    return {column: d[column].to_numpy() for column in d.columns if d[column].dtype.is_numeric()}


@pytest.mark.parametrize("case", list(CASES))
def test_optimism_matches_rms_validate_on_the_same_samples(case: str) -> None:
    """R: validate(cph(Surv(time, event) ~ ..., x = TRUE, y = TRUE), B = B) with rms's sample() answered
    from optimism_indices.csv and its refits at coxph's convergence; C = (Dxy + 1) / 2, optimism = Dxy
    optimism / 2. Stock rms (refits to eps 1e-4) differs from it in the 5th decimal at most."""
    name, columns = CASES[case]
    expected = pl.read_csv(REFERENCE / "optimism.csv").filter(pl.col("case") == case).row(0, named=True)
    drawn = pl.read_csv(REFERENCE / "optimism_indices.csv").filter(pl.col("case") == case)
    data = arrays(name)
    n = len(data["time"])
    indices = drawn.sort("replicate", maintain_order=True)["row"].to_numpy().reshape(expected["B"], n) - 1
    got = optimism_corrected(cox_harrell_c(columns), data, indices=indices)
    assert (got.apparent, got.optimism, got.corrected) == pytest.approx(
        (expected["apparent"], expected["optimism"], expected["corrected"]), rel=REL)
    assert (got.replicates, got.failed) == (expected["replicates"], 0)
    assert got.optimism == pytest.approx(expected["optimism_rms_stock"], abs=1e-4)


def test_apparent_c_is_harrells_c_of_the_full_fit() -> None:
    """The apparent C is Harrell's C of the model fitted on every patient, scored on them."""
    data = arrays("lung")
    got = optimism_corrected(cox_harrell_c(["ph_ecog"]), data, replicates=3)
    assert got.apparent == pytest.approx(harrell_c(data["time"], data["event"], data["ph_ecog"]).c, rel=1e-12)


def test_a_seed_reproduces_the_result_and_reports_progress() -> None:
    """The same seed gives the same optimism; another seed other samples; progress sees every replicate."""
    data = arrays("lung")
    seen: list[tuple[int, int]] = []
    first = optimism_corrected(cox_harrell_c(["age", "sex"]), data, replicates=5, seed=7,
                               progress=lambda done, total: seen.append((done, total)))
    again = optimism_corrected(cox_harrell_c(["age", "sex"]), data, replicates=5, seed=7)
    other = optimism_corrected(cox_harrell_c(["age", "sex"]), data, replicates=5, seed=8)
    assert first == again
    assert other.optimism != first.optimism
    assert seen == [(i, 5) for i in range(1, 6)]


def test_a_sample_that_cannot_be_fitted_is_left_out_and_counted() -> None:
    """A sample with no events cannot be fitted: it is counted as failed, the others are averaged."""
    data = arrays("lung")
    censored = int(np.flatnonzero(data["event"] == 0)[0])
    n = len(data["time"])
    indices = np.vstack([np.full(n, censored), np.arange(n)])
    got = optimism_corrected(cox_harrell_c(["age"]), data, indices=indices)
    assert (got.replicates, got.failed) == (1, 1)
    assert got.optimism == pytest.approx(0.0, abs=1e-12)  # the one usable sample is the data itself
