"""Time Kaplan–Meier + log-rank by group on a large synthetic registry, against lifelines.

Run: PYTHONPATH=. python benchmarks/km_speed.py [n_patients]   (default 1,000,000; never run by pytest)
Prints the best of five runs of netpet.analysis.survival.km.km_fit + netpet.analysis.survival.logrank.logrank_test,
of lifelines'
KaplanMeierFitter per group + multivariate_logrank_test on the same rows, and their ratio, both in wall
time and in CPU time of the process (polars uses several threads; on a busy machine CPU time is the
steadier measure, and it counts every thread against us).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import polars as pl


def synthetic(n: int, seed: int = 20170501) -> pl.DataFrame:
    """Integer-day follow-up in months (many ties), three groups with medians near 100, 46 and 12 months."""
    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["P1", "P2-4", "P5"]), size=n, p=[0.4, 0.4, 0.2])
    median_days = np.select([group == "P1", group == "P2-4"], [3100.0, 1415.0], 350.0)
    death = rng.exponential(median_days / np.log(2))
    censor = rng.uniform(30, 3650, size=n)
    days = np.ceil(np.minimum(death, censor))
    return pl.DataFrame({"time": days / 30.4375, "event": (death <= censor).astype(np.int32), "group": group})


def best_of(repeats: int, func) -> tuple[float, float]:
    """Return the best wall time and the best CPU time of `repeats` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def ours(data: pl.DataFrame) -> None:
    """As `km_report` does: reduce the rows to counts once, then fit and test on the counts."""
    from netpet.analysis.survival.counts import survival_counts
    from netpet.analysis.survival.km import km_fit
    from netpet.analysis.survival.logrank import logrank_test

    counts = survival_counts(data)
    km_fit(counts)
    logrank_test(counts)


def ours_separately(data: pl.DataFrame) -> None:
    """Each function given the frame (each reduces it to counts itself)."""
    from netpet.analysis.survival.km import km_fit
    from netpet.analysis.survival.logrank import logrank_test

    km_fit(data)
    logrank_test(data)


def lifelines_way(data: pl.DataFrame) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    frame = data.to_pandas()
    for _, part in frame.groupby("group"):
        KaplanMeierFitter().fit(part["time"], part["event"])
    multivariate_logrank_test(frame["time"], frame["group"], frame["event"])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    data = synthetic(n)
    ours(data.head(1000))  # warm imports
    lifelines_way(data.head(1000))
    runs = {
        "netpet (counts once)": best_of(5, lambda: ours(data)),
        "netpet (frame to each)": best_of(5, lambda: ours_separately(data)),
        "lifelines": best_of(5, lambda: lifelines_way(data)),
    }
    wall_ll, cpu_ll = runs["lifelines"]
    print(f"n = {n:,} patients, 3 groups; best of 5")
    for name, (wall, cpu) in runs.items():
        print(f"  {name:24s} wall {wall:.3f} s ({wall_ll / wall:4.1f}x)   "
              f"cpu {cpu:.3f} s ({cpu_ll / cpu:4.1f}x)")


if __name__ == "__main__":
    main()
