"""Benchmark: derive NETPET scores from 10,000,000 lesion reads and print rows per second.

Run from the repository root: `PYTHONPATH=$PWD python benchmarks/scoring_throughput.py [ROWS]`.
The reads are synthetic (seeded numpy), about 10 lesions per timepoint, with every lesion class present;
the timing covers validation (`lesion_issues`) and scoring (`derive_scores`), not building the frame.
Never run by pytest.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import polars as pl

from netpet.registry.scoring import classify_lesions, derive_scores

LESIONS_PER_TIMEPOINT = 10


def synthetic_reads(rows: int, seed: int = 20170501) -> pl.DataFrame:
    """Return `rows` lesion reads: both-avid reads always carry a comparison, so none is invalid."""
    rng = np.random.default_rng(seed)
    sstr = rng.random(rows) < 0.85
    fdg = rng.random(rows) < 0.3
    index = pl.int_range(0, rows, eager=True)
    comparison = np.array(["lower", "similar", "higher"])[rng.integers(0, 3, rows)]
    return pl.DataFrame(
        {
            "timepoint_id": (index // LESIONS_PER_TIMEPOINT).cast(pl.String).str.zfill(8),
            "lesion_id": (index % LESIONS_PER_TIMEPOINT).cast(pl.String),
            "sstr_avid": sstr,
            "fdg_avid": fdg,
            "fdg_vs_sstr": comparison,
        }
    ).with_columns(
        pl.when(pl.col("sstr_avid") & pl.col("fdg_avid")).then(pl.col("fdg_vs_sstr")).alias("fdg_vs_sstr")
    )


def timed(label: str, func, rows: int, repeats: int = 3) -> float:
    """Run `func` `repeats` times and print the best time and rows per second."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<18} {rows:>12,} rows  best of {repeats}: {best:7.3f} s  {rows / best:>14,.0f} rows/s")
    return rows / best


def main(rows: int = 10_000_000) -> None:
    start = time.perf_counter()
    reads = synthetic_reads(rows)
    print(
        f"built {rows:,} synthetic lesion reads in {time.perf_counter() - start:.1f} s "
        f"({reads.estimated_size('mb'):.0f} MB, polars {pl.__version__}, {pl.thread_pool_size()} threads)"
    )
    timed("derive_scores", lambda: derive_scores(reads), rows)
    timed("classify_lesions", lambda: classify_lesions(reads), rows)
    scores = derive_scores(reads)
    counts = scores.group_by("derived_score").len().sort("derived_score")
    print("timepoints by derived score:", dict(counts.rows()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
