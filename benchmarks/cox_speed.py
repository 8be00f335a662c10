"""Time `fit_cox` (and the concordance, PH test) against R's coxph on the same 1,000,000 x 5 data.

Run: python benchmarks/cox_speed.py [n_rows] [repeats]
Writes the data once to a temporary CSV, fits it in Python and in R (Rscript, survival), and prints the
best of `repeats` timings (a shared machine is noisy; wall and, for the fits, process CPU time), their
ratios and the largest relative difference in the coefficients. Not run by pytest.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

R_SCRIPT = """
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1])
repeats <- as.integer(commandArgs(TRUE)[2])
x <- as.matrix(d[, c("x1", "x2", "x3", "x4", "x5")])
y <- Surv(d$time, d$event)
full <- bare <- full_cpu <- Inf
cpu <- function(t) t[["user.self"]] + t[["sys.self"]]
for (i in seq_len(repeats)) {
  t0 <- proc.time()
  fit <- coxph(Surv(time, event) ~ x1 + x2 + x3 + x4 + x5, data = d)
  t1 <- proc.time()
  b <- survival:::coxph.fit(x, y, strata = NULL, offset = NULL, init = NULL, control = coxph.control(),
                            method = "efron", rownames = NULL, resid = FALSE)
  t2 <- proc.time()
  full <- min(full, t1[["elapsed"]] - t0[["elapsed"]])
  full_cpu <- min(full_cpu, cpu(t1) - cpu(t0))
  bare <- min(bare, t2[["elapsed"]] - t1[["elapsed"]])
}
cat(full, bare, full_cpu, "\\n")
cat(sprintf("%.17g", coef(fit)), "\\n")
"""


def make_data(n: int, seed: int = 20261125) -> pl.DataFrame:
    """Exponential times with five covariates (two binary), rounded to 0.1 so that ties occur."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.normal(size=n), rng.integers(0, 2, n),
                         rng.integers(0, 2, n), rng.uniform(20, 90, n)])
    hazard = np.exp(x @ np.array([0.3, -0.2, 0.5, 0.1, 0.01]))
    event_time = rng.exponential(1 / hazard) * 100
    censor = rng.exponential(150, n)
    return pl.DataFrame({
        "time": np.round(np.minimum(event_time, censor), 1) + 0.1,
        "event": (event_time <= censor).astype(int),
        **{f"x{j + 1}": x[:, j] for j in range(5)},
    })


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """Return the shortest wall time of `repeats` runs."""
    return best_wall_and_cpu(repeats, run)[0]


def best_wall_and_cpu(repeats: int, run: Callable[[], object]) -> tuple[float, float]:
    """Return the shortest wall time and the smallest process CPU time (all threads) of `repeats` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main(n: int, repeats: int) -> None:
    from netpet.analysis.studies.cox_analysis import cox_concordance
    from netpet.analysis.survival.cox import fit_cox
    from netpet.analysis.survival.phtest import ph_test

    data = make_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cox.csv"
        data.write_csv(path, float_precision=17)
        data = pl.read_csv(path)
        terms = [f"x{j + 1}" for j in range(5)]
        fit_cox(data.head(1000), terms=terms)  # warm up imports
        result = fit_cox(data, terms=terms)
        fit_s, fit_cpu = best_wall_and_cpu(repeats, lambda: fit_cox(data, terms=terms))
        conc_s = best_of(repeats, lambda: cox_concordance(result))
        zph_s = best_of(repeats, lambda: ph_test(result))
        with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as script:
            script.write(R_SCRIPT)
        command = ["Rscript", script.name, str(path), str(repeats)]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
    r_seconds, r_coef = out.stdout.splitlines()[:2]
    r_time, r_fitter, r_cpu = (float(v) for v in r_seconds.split())
    diff = np.max(np.abs(result.coef / np.array(r_coef.split(), dtype=float) - 1))
    print(f"rows {n:,}, events {result.events:,}, iterations {result.iterations}")
    print(f"best of {repeats}")
    print(f"fit_cox        {fit_s:7.3f} s ({fit_cpu:.3f} s CPU)")
    print(f"concordance    {conc_s:7.2f} s")
    print(f"ph_test        {zph_s:7.2f} s")
    print(f"R coxph        {r_time:7.3f} s ({r_cpu:.3f} s CPU; includes its concordance)")
    print(f"R coxph.fit    {r_fitter:7.2f} s (the Newton-Raphson fitter alone)")
    print(f"ratio fit_cox / R coxph: {fit_s / r_time:.2f} (CPU {fit_cpu / r_cpu:.2f}: judge on CPU when shared)")
    print(f"ratio fit_cox + concordance / R coxph: {(fit_s + conc_s) / r_time:.2f}")
    print(f"ratio fit_cox / R coxph.fit: {fit_s / r_fitter:.2f}")
    print(f"max relative coefficient difference from R: {diff:.1e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
