"""Time the validation estimators against R doing the same loop: four schemes' Harrell's C, each with
Harrell's bootstrap optimism (200 replicates), on the same synthetic rows.

Run: python benchmarks/validate_speed.py [n_rows] [pairs] [replicates]   (defaults 10000, 3, 200)
Writes the rows once to a temporary CSV; then `pairs` times, interleaved, runs the Python loop
(`netpet.analysis.survival.optimism.optimism_corrected` with `cox_harrell_c`, which also gives the apparent C) and
benchmarks/validate_baseline.R (coxph + concordance + the same bootstrap loop as rms::validate), each in a
fresh process, and prints the median wall time of each, their ratio and both corrected C's (the bootstrap
samples differ, so these agree to about the Monte Carlo error, not exactly). Not run by pytest; on a
shared machine keep n_rows at 10,000.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
#: scheme -> its indicator columns (the first level of each is the reference)
SCHEMES = {
    "netpet_group": ["netpet_p24", "netpet_p5"],
    "karfis": ["karfis_c2", "karfis_c3"],
    "fdg_status": ["fdg_positive"],
    "who_grade": ["grade_g2", "grade_g3"],
}


def make_data(n: int, seed: int = 20261205) -> pl.DataFrame:
    """Months to death from four correlated categorical schemes (hazard ratios as in published cohorts)."""
    rng = np.random.default_rng(seed)
    netpet = rng.choice(3, n, p=[0.3, 0.55, 0.15])
    karfis = np.clip(netpet + rng.choice([-1, 0, 1], n, p=[0.15, 0.7, 0.15]), 0, 2)
    fdg = (netpet > 0) & (rng.uniform(size=n) < 0.8)
    grade = np.clip(netpet + rng.choice([-1, 0, 1], n, p=[0.3, 0.5, 0.2]), 0, 2)
    hazard = 0.004 * np.exp(0.9 * (netpet == 1) + 2.0 * (netpet == 2) + 0.3 * grade + 0.2 * fdg)
    death = rng.exponential(1 / hazard)
    censor = rng.uniform(6, 120, n)
    return pl.DataFrame({
        "time": np.round(np.minimum(death, censor), 1) + 0.1,
        "event": (death <= censor).astype(int),
        "netpet_p24": (netpet == 1).astype(int), "netpet_p5": (netpet == 2).astype(int),
        "karfis_c2": (karfis == 1).astype(int), "karfis_c3": (karfis == 2).astype(int),
        "fdg_positive": fdg.astype(int),
        "grade_g2": (grade == 1).astype(int), "grade_g3": (grade == 2).astype(int),
    })


def python_loop(path: str, replicates: int) -> dict[str, float]:
    """Return each scheme's optimism-corrected C (the work timed)."""
    from netpet.analysis.survival.optimism import cox_harrell_c, optimism_corrected

    data = pl.read_csv(path)
    arrays = {c: data[c].to_numpy() for c in data.columns}
    return {scheme: optimism_corrected(cox_harrell_c(columns), arrays, replicates=replicates).corrected
            for scheme, columns in SCHEMES.items()}


def timed(command: list[str]) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, json.loads(out.stdout.splitlines()[-1])


def main(n: int, pairs: int, replicates: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "validate.csv")
        make_data(n).write_csv(path)
        ours_cmd = [sys.executable, __file__, "--child", path, str(replicates)]
        r_cmd = ["Rscript", str(HERE / "validate_baseline.R"), path, str(replicates), json.dumps(SCHEMES)]
        ours, theirs = [], []
        for pair in range(1, pairs + 1):
            seconds, ours_c = timed(ours_cmd)
            ours.append(seconds)
            seconds, r_c = timed(r_cmd)
            theirs.append(seconds)
            print(f"pair {pair}: python {ours[-1]:.1f} s, R {theirs[-1]:.1f} s (load average {os.getloadavg()[0]:.1f})",
                  flush=True)
    print(f"rows {n:,}; four schemes, {replicates} bootstrap replicates each; {pairs} interleaved pairs")
    print(f"python (median) {statistics.median(ours):7.1f} s   runs: {', '.join(f'{s:.1f}' for s in ours)}")
    print(f"R      (median) {statistics.median(theirs):7.1f} s   runs: {', '.join(f'{s:.1f}' for s in theirs)}")
    print(f"ratio python / R: {statistics.median(ours) / statistics.median(theirs):.2f}")
    for scheme in SCHEMES:
        print(f"corrected C {scheme:13s} python {ours_c[scheme]:.4f}   R {r_c[scheme]:.4f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(python_loop(sys.argv[2], int(sys.argv[3]))))
    else:
        args = [int(a) for a in sys.argv[1:]]
        main(*(args + [10_000, 3, 200][len(args):]))
