"""Time Kaplan–Meier + log-rank by group on a large synthetic registry, against lifelines.

Run: PYTHONPATH=. python benchmarks/km_speed.py [n_patients]   (default 1,000,000; never run by pytest)
Prints the best of three runs of analysis.km.km_fit + analysis.logrank.logrank_test, of lifelines'
KaplanMeierFitter per group + multivariate_logrank_test on the same rows, and their ratio.
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


def best_of(repeats: int, func) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(data: pl.DataFrame) -> None:
    """As `km_report` does: reduce the rows to counts once, then fit and test on the counts."""
    from analysis.km import km_fit, survival_counts
    from analysis.logrank import logrank_test

    counts = survival_counts(data)
    km_fit(counts)
    logrank_test(counts)


def ours_separately(data: pl.DataFrame) -> None:
    """Each function given the frame (each reduces it to counts itself)."""
    from analysis.km import km_fit
    from analysis.logrank import logrank_test

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
    t_ours = best_of(5, lambda: ours(data))
    t_separately = best_of(5, lambda: ours_separately(data))
    t_lifelines = best_of(5, lambda: lifelines_way(data))
    print(f"n = {n:,}: netpet km + log-rank {t_ours:.3f} s (frame passed to each: {t_separately:.3f} s); "
          f"lifelines {t_lifelines:.3f} s; lifelines / netpet = {t_lifelines / t_ours:.1f}x "
          f"({t_lifelines / t_separately:.1f}x)")


if __name__ == "__main__":
    main()
