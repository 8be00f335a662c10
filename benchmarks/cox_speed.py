"""Time `fit_cox` (and the concordance, PH test) against R's coxph on the same 1,000,000 x 5 data.

Run: PYTHONPATH=$PWD /work/venv/bin/python benchmarks/cox_speed.py [n_rows]
Writes the data once to a temporary CSV, fits it in Python and in R (Rscript, survival), and prints the
timings, their ratio and the largest relative difference in the coefficients. Not run by pytest.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

R_SCRIPT = """
suppressMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1])
t0 <- proc.time()[["elapsed"]]
fit <- coxph(Surv(time, event) ~ x1 + x2 + x3 + x4 + x5, data = d)
t1 <- proc.time()[["elapsed"]]
x <- as.matrix(d[, c("x1", "x2", "x3", "x4", "x5")])
y <- Surv(d$time, d$event)
t2 <- proc.time()[["elapsed"]]
bare <- survival:::coxph.fit(x, y, strata = NULL, offset = NULL, init = NULL, control = coxph.control(),
                             method = "efron", rownames = NULL, resid = FALSE)
t3 <- proc.time()[["elapsed"]]
cat(t1 - t0, t3 - t2, "\\n")
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


def main(n: int) -> None:
    from analysis.concordance import cox_concordance
    from analysis.cox import fit_cox
    from analysis.phtest import ph_test

    data = make_data(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cox.csv"
        data.write_csv(path, float_precision=17)
        data = pl.read_csv(path)
        fit_cox(data.head(1000), terms=[f"x{j + 1}" for j in range(5)])  # warm up imports
        t0 = time.perf_counter()
        result = fit_cox(data, terms=[f"x{j + 1}" for j in range(5)])
        t1 = time.perf_counter()
        cox_concordance(result)
        t2 = time.perf_counter()
        ph_test(result)
        t3 = time.perf_counter()
        with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as script:
            script.write(R_SCRIPT)
        out = subprocess.run(["Rscript", script.name, str(path)], capture_output=True, text=True, check=True)
    r_seconds, r_coef = out.stdout.splitlines()[:2]
    r_time, r_fitter = (float(v) for v in r_seconds.split())
    diff = np.max(np.abs(result.coef / np.array(r_coef.split(), dtype=float) - 1))
    print(f"rows {n:,}, events {result.events:,}, iterations {result.iterations}")
    print(f"fit_cox        {t1 - t0:7.2f} s")
    print(f"concordance    {t2 - t1:7.2f} s")
    print(f"ph_test        {t3 - t2:7.2f} s")
    print(f"R coxph        {r_time:7.2f} s (includes its concordance)")
    print(f"R coxph.fit    {r_fitter:7.2f} s (the Newton-Raphson fitter alone)")
    print(f"ratio fit_cox / R coxph.fit: {(t1 - t0) / r_fitter:.2f}")
    print(f"ratio fit_cox + concordance / R coxph: {(t2 - t0) / r_time:.2f}")
    print(f"max relative coefficient difference from R: {diff:.1e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
