"""Whole-command latency on the demo registry: each netpet command against an Rscript doing the same work.

Run from the repository root (never run by pytest):

    python benchmarks/latency.py --out benchmarks/LATENCY.md

Builds the 1,000-patient demo registry (`--patients`, seed 42) under `--work`, writes the same patients' rows
as CSV for R (not timed), then runs `--pairs` interleaved pairs (default 5) of each netpet command and its R
baseline, each a whole fresh process (interpreter start, imports, reading, the work, writing), alternating
which of the two goes first, after one untimed run of each (it writes Python's bytecode cache, as a user's
first run does, and warms the file cache). Per item it prints the median wall and CPU (user + system, from
`wait4`) of each side, the ratio of the medians and the spread of the per-pair ratios (min–max), and judges the
target on the per-pair ratios: "met" when every pair meets it, "NOT met" when none does, "spread crosses
target" otherwise.
`netpet audit` has no R baseline; its target is absolute (median and spread of its own wall time).

Each row also gives the command's floor: the median wall time (over `--pairs` runs) of a fresh interpreter that
only imports the libraries the command loaded (every module outside the standard library and netpet, from
Python's import log of one run of the command), and that floor as a multiple of R's median. When the floor
alone is above the target, no change to netpet's own code can meet it with those libraries.

The R scripts are benchmarks/latency_*.R; each says what it computes. benchmarks/run_all.py prints the same
table (its `latency` item).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: validate: the schemes and bootstrap replicates of `netpet validate`'s defaults; tau of the RMST in R.
SCHEMES = ("netpet_group", "karfis", "fdg_status", "who_grade")
REPLICATES = 200
TAU = 60.0
#: The children's environment: Python's default, which caches compiled modules as a user's installation does
#: (pip compiles a regular install; an editable one caches on first use). Without PYTHONDONTWRITEBYTECODE, which
#: this machine sets and which would make every run compile netpet's modules again (about 0.06 s of `netpet km`).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass(frozen=True)
class Item:
    """One row: our command, the R baseline (or None) and the target (a ratio, or seconds when no baseline)."""

    name: str
    ours: Callable[[Path], list[str]]
    theirs: Callable[[Path], list[str]] | None
    target: float


def _netpet(*args: str) -> Callable[[Path], list[str]]:
    return lambda work: [sys.executable, "-m", "netpet", "--db", str(work / "demo.duckdb"),
                         *(a.replace("{work}", str(work)) for a in args)]


def _r(script: str, *args: str) -> Callable[[Path], list[str]]:
    return lambda work: ["Rscript", str(HERE / script), *(a.replace("{work}", str(work)) for a in args)]


ITEMS = (
    Item("`netpet km --by netpet_group --at 12,24,60`",
         _netpet("km", "--by", "netpet_group", "--at", "12,24,60"), _r("latency_km.R", "{work}/km.csv"), 0.4),
    Item("`netpet cox --covariates who_grade,age_at_origin`",
         _netpet("cox", "--covariates", "who_grade,age_at_origin"), _r("latency_cox.R", "{work}/km.csv"), 0.4),
    Item("`netpet report --format png`", _netpet("report", "--out", "{work}/report", "--format", "png"),
         _r("latency_report.R", "{work}/km.csv", "{work}/km_r.png"), 1.0),
    Item("`netpet audit`", _netpet("audit", "--as-of", "2025-12-31", "--out", "{work}/audit"), None, 0.5),
    Item(f"`netpet validate` (4 schemes, {REPLICATES} bootstrap replicates)",
         _netpet("validate", "--out", "{work}/validate", "--bootstrap", str(REPLICATES)),
         lambda work: [*_r("latency_validate.R", f"{work}/schemes.csv", str(REPLICATES), str(TAU))(work),
                       (work / "schemes.json").read_text(encoding="utf-8")], 1.0),
)


def prepare(work: Path, patients: int) -> str:
    """Build the demo registry and write the rows the R scripts read (not timed)."""
    import polars as pl

    from netpet.analysis.studies.frames import survival_frame
    from netpet.analysis.studies.schemes import resolve_schemes, scheme_frame
    from netpet.registry import Registry
    from netpet.registry.demo import build_demo_registry

    work.mkdir(parents=True, exist_ok=True)
    build_demo_registry(work / "demo.duckdb", work / "data", patients=patients, replace=True)
    with Registry.open(work / "demo.duckdb", read_only=True) as reg:
        km = survival_frame(reg, by="netpet_group", covariates=("who_grade", "age_at_origin")).frame
        schemes = resolve_schemes(SCHEMES)
        rows = scheme_frame(reg, schemes).frame
    km = km.rename({"group": "netpet_group"}).select("time", "event", "netpet_group", "who_grade", "age_at_origin")
    km.write_csv(work / "km.csv", null_value="NA")
    columns = {s.name: s.columns for s in schemes}
    used = list(dict.fromkeys(c for cs in columns.values() for c in cs))
    rows.select("time", "event", *used).with_columns(pl.col(pl.Boolean).cast(pl.Int8)).write_csv(
        work / "schemes.csv", null_value="NA")
    (work / "schemes.json").write_text(json.dumps(columns), encoding="utf-8")
    return f"{patients:,}-patient demo: {km.height:,} km/cox rows, {rows.height:,} validation rows"


def run(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the process and its children) seconds of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=ENVIRONMENT)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{argv} failed: {err.decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


#: Imports the modules named in argv[1] (a JSON list, in the order the command's imports ended); nothing else.
IMPORTER = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:  # a module that imports only inside its package's own start-up: its parent loaded it
        pass
"""


def libraries(item: Item, work: Path) -> list[str]:
    """The modules outside the standard library and netpet that one run of the command loads, from Python's own
    import log (`-X importtime`, a line per module as its import ends)."""
    python, *rest = item.ours(work)
    done = subprocess.run([python, "-X", "importtime", *rest], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, cwd=ROOT, env=ENVIRONMENT, check=True)
    loaded = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    skipped = sys.stdlib_module_names | set(sys.builtin_module_names) | {"netpet"}
    return [m for m in loaded if " " not in m and m.split(".")[0] not in skipped]


def floor(item: Item, work: Path, runs: int) -> float:
    """Median wall seconds of a fresh interpreter importing only the command's libraries."""
    names = json.dumps(libraries(item, work))
    return statistics.median(run([sys.executable, "-c", IMPORTER, names])[0] for _ in range(runs))


def verdict(values: list[float], target: float) -> str:
    if max(values) <= target:
        return "met"
    if min(values) > target:
        return "NOT met"
    return "spread crosses target"


HEADER = ("| command | ours wall s (median) | ours CPU s | baseline | base wall s (median) | base CPU s "
          "| ratio wall (median of pairs) | spread of pair ratios (min–max) | ratio CPU | target | verdict "
          "| libraries alone wall s (median) | libraries alone ÷ R |")


def measure(item: Item, work: Path, pairs: int) -> str:
    run(item.ours(work))
    if item.theirs is not None:
        run(item.theirs(work))
    ours, theirs = [], []
    for i in range(pairs):
        if item.theirs is None:
            ours.append(run(item.ours(work)))
            continue
        first, second = (item.ours, item.theirs) if i % 2 == 0 else (item.theirs, item.ours)
        a, b = run(first(work)), run(second(work))
        ours.append(a if first is item.ours else b)
        theirs.append(b if first is item.ours else a)
    wall = statistics.median(w for w, _ in ours)
    cpu = statistics.median(c for _, c in ours)
    least = floor(item, work, pairs)
    if not theirs:
        walls = [w for w, _ in ours]
        return (f"| {item.name} | {wall:.2f} | {cpu:.2f} | – | – | – | – | {min(walls):.2f}–{max(walls):.2f} s "
                f"| – | ≤ {item.target} s | {verdict(walls, item.target)} | {least:.2f} | – |")
    ratios = [o[0] / t[0] for o, t in zip(ours, theirs, strict=True)]
    base_wall = statistics.median(w for w, _ in theirs)
    base_cpu = statistics.median(c for _, c in theirs)
    return (f"| {item.name} | {wall:.2f} | {cpu:.2f} | Rscript | {base_wall:.2f} | {base_cpu:.2f} "
            f"| {statistics.median(ratios):.2f} | {min(ratios):.2f}–{max(ratios):.2f} | {cpu / base_cpu:.2f} "
            f"| ≤ {item.target}× R | {verdict(ratios, item.target)} | {least:.2f} | {least / base_wall:.2f} |")


def latency_table(work: Path, *, patients: int = 1000, pairs: int = 5,
                  log: Callable[[str], None] = print) -> list[str]:
    """Build the demo, time every item, log and return the table's lines (header, rule, rows)."""
    log(prepare(work, patients))
    lines = [HEADER, "|" + "---|" * 13]
    for line in lines:
        log(line)
    for item in ITEMS:
        lines.append(measure(item, work, pairs))
        log(lines[-1])
    return lines


def main() -> None:
    from datetime import UTC, datetime

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--work", default="/tmp/netpet-latency", help="Folder for the demo registry and outputs.")
    parser.add_argument("--out", default=None, help="Markdown file to write the table into.")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from run_all import machine

    header = [f"machine: {machine()}", f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
              "command: " + " ".join(["python", "benchmarks/latency.py", *sys.argv[1:]])]
    for text in header:
        print(text)
    lines = latency_table(Path(args.work), patients=args.patients, pairs=args.pairs)
    load = os.getloadavg()
    footer = f"load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    print(footer)
    if args.out:
        Path(args.out).write_text(
            "# Whole-command latency\n\n" + "\n".join(f"- {t}" for t in [*header, footer]) + "\n\n"
            + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
