"""Time `build_cohort` for every example definition on a synthetic registry of N patients (default 1,000,000).

Usage: PYTHONPATH=. python benchmarks/cohort_build.py [N] [REGISTRY_PATH]. The registry is built once
(from benchmarks/cohort_registry.sql) and reused on later runs. Prints one line per definition.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from netpet.registry import Registry
from netpet.registry.cohorts import build_cohort

HERE = Path(__file__).resolve().parent


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"/tmp/netpet-bench-{n}.duckdb")
    if not path.exists():
        started = time.perf_counter()
        with Registry.create(path) as reg, reg.transaction() as con:
            for statement in (HERE / "cohort_registry.sql").read_text().split(";"):
                if "insert" in statement:
                    con.execute(statement, {"n": n})
        print(f"built a {n:,}-patient registry in {time.perf_counter() - started:.1f} s")
    with Registry.open(path) as reg:
        for definition in sorted((HERE.parent / "cohorts" / "examples").glob("*.yaml")):
            started = time.perf_counter()
            steps = build_cohort(reg, definition, definition.stem, replace=True)
            seconds = time.perf_counter() - started
            print(f"{definition.stem:40s} {steps['remaining'][-1]:>9,} members  {seconds:6.2f} s")


if __name__ == "__main__":
    main()
