"""Time what users run on demo registries of 10k, 100k, 362k and 1M patients, each against its obvious baseline.

Run from the repository root (never run by pytest):

    python benchmarks/run_all.py --out benchmarks/RESULTS.md

(362k patients is the registry whose import writes 20M lesion reads; the import's targets are set there
and at 1M.)

For each size the demo registry's files are written once (CSV, about 3 dual-PET timepoints per patient and
20 lesion reads per scored timepoint) under `--work`, then every item and its baseline run in a fresh
subprocess: the child times only the work itself (wall clock and process CPU time, all threads), and the
parent reads the child's peak resident memory from `os.wait4`. Baselines: DuckDB's raw `read_csv` of the same
files (import), lifelines on a pandas frame of the same rows (Kaplan-Meier + log-rank), R's `coxph` (Cox;
the fit alone, timed inside R) and the bare interpreter (cold start). The table goes to stdout and, with
`--out`, into a Markdown file with the machine, the date and the command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
LESIONS_PER_TIMEPOINT = 20
COX_TERMS = ("netpet_group", "ki67_percent", "age_at_origin", "sex", "who_grade")
COHORT_EXAMPLES = ROOT / "cohorts" / "examples"
GB = 1024**2  # ru_maxrss is in KiB on Linux
#: The registry size the issue's targets are set at; at other sizes a row shows no verdict.
TARGET_PATIENTS = 1_000_000
#: The import's targets on CPU, by registry size: ≤ 3× read_csv at 20M lesion reads (362k patients, 19,982,013
#: reads at 20 per scored timepoint; issue 10) and ≤ 2.5× at 1M patients (55M reads; issue 21).
IMPORT_TARGETS = {362_000: 3.0, TARGET_PATIENTS: 2.5}


@dataclass
class Timing:
    """One measured run: wall and CPU seconds of the work, peak RSS (GB) of its process, and a note."""

    wall: float
    cpu: float
    rss: float
    note: str = ""


# -- the work, run inside a child process ---------------------------------------------------------------


def _clock(func: Callable[[], str | None]) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    note = func()
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "note": note or ""}


def _best(func: Callable[[], object], warm: Callable[[], object], repeats: int = 3) -> dict:
    """Call `warm` once (imports, first-call set-up), then return the best wall and CPU of `repeats` calls."""
    warm()
    runs = [_clock(lambda: func() and "") for _ in range(repeats)]
    return {"wall": min(r["wall"] for r in runs), "cpu": min(r["cpu"] for r in runs),
            "note": f"best of {repeats} after a warm-up call"}


def child_files(work: Path) -> dict:
    """Write the demo registry's import files (CSV) for `work`'s size; not a timed item."""
    from netpet.registry.demo import write_demo_files

    size, counts = int(work.name), {}
    timing = _clock(lambda: counts.update(write_demo_files(
        work / "files", patients=size, fmt="csv", lesions_per_timepoint=LESIONS_PER_TIMEPOINT)))
    timing["note"] = (f"{size:,} patients: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
                      + f" (files written in {timing['wall']:.0f} s wall, {timing['cpu']:.0f} s CPU)")
    return timing


def child_import(work: Path) -> dict:
    from netpet.registry import Registry
    from netpet.registry.ingest import import_folder

    target = work / "registry.duckdb"
    target.unlink(missing_ok=True)
    reg = Registry.create(target)

    def go() -> str:
        import_folder(reg, work / "files", operator="benchmark")
        reg.close()
        return ""

    return _clock(go)


def child_import_baseline(work: Path) -> dict:
    import duckdb

    from netpet.registry.columns import TABLES

    target = work / "read_csv.duckdb"
    target.unlink(missing_ok=True)
    sql = (HERE / "read_csv_baseline.sql").read_text(encoding="utf-8")

    def go() -> str:
        con = duckdb.connect(str(target))
        for table in TABLES:  # table names from the fixed spec, never user input
            con.execute(sql.replace("{{table}}", table.name), {"path": str(work / "files" / f"{table.name}.csv")})
        con.close()
        return ""

    result = _clock(go)
    target.unlink()
    return result


def child_scoring(work: Path) -> dict:
    from netpet.registry import Registry
    from netpet.registry.score_store import refresh_derived_scores

    reg = Registry.open(work / "registry.duckdb")

    def go() -> str:
        con = reg.con
        con.execute("begin transaction")
        rows = refresh_derived_scores(con)
        con.execute("rollback")
        return f"{rows:,} timepoints re-derived"

    return _clock(go)


def child_cohort(work: Path) -> dict:
    from netpet.registry import Registry
    from netpet.registry.cohorts import build_cohort

    reg = Registry.open(work / "registry.duckdb")
    slowest = {"wall": 0.0, "cpu": 0.0, "note": ""}
    for definition in sorted(COHORT_EXAMPLES.glob("*.yaml")):
        timing = _clock(lambda d=definition: str(build_cohort(reg, d, d.stem, replace=True)["remaining"][-1]))
        if timing["wall"] > slowest["wall"]:
            slowest = {**timing, "note": f"slowest of 5: {definition.stem} ({int(timing['note']):,} members)"}
    return slowest


def child_prepare(work: Path) -> dict:
    """Write the rows the baselines get: survival by NETPET group (Parquet) and the Cox frame (CSV for R)."""
    from netpet.analysis.studies.frames import survival_frame
    from netpet.registry import Registry

    Registry.open(work / "registry.duckdb").close()  # opening for writing rebuilds the views (--reuse)
    with Registry.open(work / "registry.duckdb", read_only=True) as reg:
        km = survival_frame(reg).frame
        cox = survival_frame(reg, covariates=COX_TERMS[1:]).frame
    km.write_parquet(work / "km.parquet")
    cox = cox.rename({"group": COX_TERMS[0]}).drop_nulls(["time", "event", *COX_TERMS])
    cox.write_parquet(work / "cox.parquet")
    cox.select("time", "event", *COX_TERMS).write_csv(work / "cox.csv")
    note = f"{km.height:,} km rows, {cox.height:,} cox rows"
    if _time_varying_frame() is not None:
        with Registry.open(work / "registry.duckdb", read_only=True) as reg:
            intervals = _time_varying_frame()(reg).frame.rename({"group": "netpet_group"})
        intervals.select("entry", "time", "event", "netpet_group").write_csv(work / "tv.csv")
        note += f", {intervals.height:,} time-varying intervals"
    return {"wall": 0.0, "cpu": 0.0, "note": note}


def _time_varying_frame() -> Callable | None:
    """`netpet.analysis.studies.longitudinal.time_varying_frame`, or None on a branch without it."""
    try:
        from netpet.analysis.studies.longitudinal import time_varying_frame
    except ImportError:
        return None
    return time_varying_frame


def child_tv_cox(work: Path) -> dict:
    """The current NETPET group as a time-varying covariate: build the intervals and fit, as `cox --time-varying`."""
    from netpet.analysis.survival.cox import fit_cox
    from netpet.registry import Registry

    build = _time_varying_frame()
    if build is None:
        return {"wall": float("nan"), "cpu": float("nan"), "note": "no time-varying Cox on this branch"}
    reg = Registry.open(work / "registry.duckdb", read_only=True)
    found: dict = {}
    frame = _clock(lambda: found.update(rows=build(reg).frame.rename({"group": "netpet_group"})))
    rows = found["rows"]
    fit = _best(lambda: fit_cox(rows, terms=["netpet_group"], reference={"netpet_group": "P1"}),
                lambda: fit_cox(rows.head(2000), terms=["netpet_group"], reference={"netpet_group": "P1"}))
    return {**fit, "note": f"fit only, best of 3; building the {rows.height:,} intervals from the registry "
            f"took {frame['wall']:.2f} s wall, {frame['cpu']:.2f} s CPU"}


def child_tv_cox_r(work: Path) -> dict:
    if not (work / "tv.csv").exists():
        return {"wall": float("nan"), "cpu": float("nan"), "note": ""}
    out = subprocess.run(
        ["Rscript", str(HERE / "coxph_baseline.R"), str(work / "tv.csv"), "counting"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return {"wall": float(out[0]), "cpu": float(out[1]), "note": "coxph(Surv(entry, time, event)); fit only"}


def _km_and_logrank(rows: pl.DataFrame) -> bool:
    """The work lifelines is given: a Kaplan-Meier curve per group and the log-rank test across groups."""
    from netpet.analysis.survival.counts import survival_counts
    from netpet.analysis.survival.km import km_fit
    from netpet.analysis.survival.logrank import logrank_test

    counts = survival_counts(rows)
    km_fit(counts)
    logrank_test(counts)
    return True


def child_km(work: Path) -> dict:
    from netpet.analysis.studies.frames import survival_frame
    from netpet.registry import Registry

    reg = Registry.open(work / "registry.duckdb", read_only=True)
    return _best(lambda: _km_and_logrank(survival_frame(reg).frame),
                 lambda: _km_and_logrank(survival_frame(reg).frame))


def child_km_rows(work: Path) -> dict:
    import polars as pl

    rows = pl.read_parquet(work / "km.parquet")
    return _best(lambda: _km_and_logrank(rows), lambda: _km_and_logrank(rows.head(1000)))


def child_km_command(work: Path) -> dict:
    """What `netpet km` runs: the frame, curves, log-rank, pairwise and trend tests (km_report)."""
    from netpet.analysis.studies.frames import survival_frame
    from netpet.analysis.studies.km_analysis import km_report
    from netpet.registry import Registry

    reg = Registry.open(work / "registry.duckdb", read_only=True)
    return _best(lambda: km_report(survival_frame(reg)), lambda: km_report(survival_frame(reg)))


def child_km_lifelines(work: Path) -> dict:
    import polars as pl
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    frame = pl.read_parquet(work / "km.parquet").to_pandas()

    def go(rows: pd.DataFrame) -> bool:
        for _, part in rows.groupby("group"):
            KaplanMeierFitter().fit(part["time"], part["event"])
        multivariate_logrank_test(rows["time"], rows["group"], rows["event"])
        return True

    return _best(lambda: go(frame), lambda: go(frame.head(1000)))


def child_cox(work: Path) -> dict:
    import polars as pl

    from netpet.analysis.survival.cox import fit_cox

    rows = pl.read_parquet(work / "cox.parquet")
    return _best(lambda: fit_cox(rows, terms=COX_TERMS, reference={"netpet_group": "P1"}),
                 lambda: fit_cox(rows.head(2000), terms=COX_TERMS, reference={"netpet_group": "P1"}))


def child_cox_r(work: Path) -> dict:
    out = subprocess.run(
        ["Rscript", str(HERE / "coxph_baseline.R"), str(work / "cox.csv")],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return {"wall": float(out[0]), "cpu": float(out[1]), "note": "coxph, Efron; fit only (system.time)"}


def child_cox_lifelines(work: Path) -> dict:
    import polars as pl
    from lifelines import CoxPHFitter

    rows = pl.read_parquet(work / "cox.parquet").to_dummies(["netpet_group", "sex", "who_grade"], drop_first=True)
    frame = rows.drop("patient_id", "entry", strict=False).to_pandas()
    return _best(lambda: CoxPHFitter().fit(frame, "time", "event"),
                 lambda: CoxPHFitter().fit(frame.head(2000), "time", "event"), repeats=1)


def child_report(work: Path) -> dict:
    from netpet.cli import COMMANDS

    if "report" not in COMMANDS:
        return {"wall": float("nan"), "cpu": float("nan"), "note": "netpet report is not on this branch yet"}
    return _cli_clock(work, ["report", "--out", str(work / "report")])


def child_audit(work: Path) -> dict:
    return _cli_clock(work, ["audit", "--as-of", "2025-12-31", "--out", str(work / "audit")])


def _cli_clock(work: Path, args: list[str]) -> dict:
    from click.testing import CliRunner

    from netpet.cli import cli

    def go() -> str:
        result = CliRunner().invoke(cli, ["--db", str(work / "registry.duckdb"), *args])
        if result.exit_code:
            raise RuntimeError(result.output)
        return ""

    return _clock(go)


CHILDREN: dict[str, Callable[[Path], dict]] = {
    name.removeprefix("child_"): func for name, func in globals().items() if name.startswith("child_")
}


# -- the parent: run children, collect, print ---------------------------------------------------------


def run_child(name: str, work: Path) -> Timing:
    """Run one item in a fresh interpreter; return its own timing and the process's peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [PYTHON, str(Path(__file__).resolve()), "--child", name, "--work", str(work)],
            stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=ROOT,
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        stderr.seek(0)
        err = stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        return Timing(float("nan"), float("nan"), usage.ru_maxrss / GB, "failed: " + err.decode()[-300:])
    result = json.loads(out.decode().strip().splitlines()[-1])
    return Timing(result["wall"], result["cpu"], usage.ru_maxrss / GB, result["note"])


def run_command(argv: list[str], repeats: int = 5) -> Timing:
    """Best of `repeats` whole-process runs of `argv` (cold start): wall, and user+system CPU from wait4. With
    Python's bytecode cache on, as in a user's installation, even where the environment turns it off."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    best = Timing(float("inf"), float("inf"), 0.0)
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        best = Timing(min(best.wall, wall), min(best.cpu, usage.ru_utime + usage.ru_stime),
                      max(best.rss, usage.ru_maxrss / GB))
    return best


@dataclass
class Row:
    item: str
    size: int
    ours: Timing
    baseline_name: str
    baseline: Timing | None
    target: str
    met: Callable[[Timing, Timing | None], bool] | None


def ratio(ours: float, base: float) -> str:
    return f"{ours / base:.2f}" if base and base == base and ours == ours else "–"


def fmt(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def bench_size(size: int, work: Path, log: Callable[[str], None], *, reuse: bool = False,
               only: set[str] | None = None) -> list[Row]:
    """Time every item (or the `only` ones, by child name) at one size; `reuse` keeps a kept registry."""
    work.mkdir(parents=True, exist_ok=True)
    reuse = reuse and (work / "registry.duckdb").exists()
    if not reuse:
        log(run_child("files", work).note)
    rows: list[Row] = []

    def item(name: str, child: str, baseline_name: str = "", baseline: str | None = None, target: str = "",
             met: Callable[[Timing, Timing | None], bool] | None = None, at: int = TARGET_PATIENTS) -> None:
        """Time one item; its target is judged only at the size it is set for (`at`)."""
        if only and child not in only:
            return
        ours = run_child(child, work)
        base = run_child(baseline, work) if baseline else None
        rows.append(Row(name, size, ours, baseline_name, base, target, met if size == at else None))
        log(render_row(rows[-1]))

    if not reuse:
        cap = IMPORT_TARGETS.get(size)
        item("import (CSV folder)", "import", "DuckDB read_csv", "import_baseline",
             f"≤ {cap:g}× read_csv" if cap else "",
             (lambda o, b: b is not None and o.cpu / b.cpu <= cap) if cap else None, at=size)
    if not only or only - {"import", "cold_start"}:
        log("prepared baseline rows: " + run_child("prepare", work).note)
    item("scoring (re-derive all)", "scoring")
    item("cohort build", "cohort", target="< 2 s", met=lambda o, b: o.cpu < 2)
    item("km + log-rank (from registry)", "km", "lifelines", "km_lifelines", "< 1 s", lambda o, b: o.cpu < 1)
    item("km + log-rank (rows in memory)", "km_rows", "lifelines", "km_lifelines", "≥ 5× lifelines",
         lambda o, b: b is not None and b.cpu / o.cpu >= 5)
    item("km_report (netpet km's work)", "km_command")
    item("cox, 5 covariates", "cox", "R coxph", "cox_r", "≤ R coxph", lambda o, b: b is not None and o.cpu <= b.cpu)
    if size <= 100_000:
        item("cox, 5 covariates", "cox", "lifelines", "cox_lifelines")
    item("time-varying cox (current group)", "tv_cox", "R coxph", "tv_cox_r", "≤ R coxph",
         lambda o, b: b is not None and o.cpu <= b.cpu)
    item("full report", "report", target="< 60 s", met=lambda o, b: o.cpu < 60)
    item("audit report (netpet audit)", "audit")
    for args in (["--help"], ["km", "--help"]) if not only or "cold_start" in only else ():
        ours = run_command([PYTHON, "-m", "netpet", *args])
        base = run_command([PYTHON, "-c", "pass"])
        rows.append(Row(f"cold start `netpet {' '.join(args)}`", size, ours, "python -c pass", base,
                        "< 0.3 s", lambda o, b: o.cpu < 0.3))
        log(render_row(rows[-1]))
    return rows


HEADER = ("| item | patients | ours wall s | ours CPU s | baseline | base wall s | base CPU s "
          "| ratio wall (ours/base) | ratio CPU (ours/base) | peak RSS GB | target | met? (on CPU) | note |")


def render_row(row: Row) -> str:
    b = row.baseline
    met = "–" if row.met is None or row.ours.wall != row.ours.wall else ("yes" if row.met(row.ours, b) else "NO")
    rss = max(row.ours.rss, b.rss if b else 0.0)
    return (f"| {row.item} | {row.size:,} | {fmt(row.ours.wall)} | {fmt(row.ours.cpu)} | {row.baseline_name or '–'} "
            f"| {fmt(b.wall) if b else '–'} | {fmt(b.cpu) if b else '–'} "
            f"| {ratio(row.ours.wall, b.wall) if b else '–'} | {ratio(row.ours.cpu, b.cpu) if b else '–'} "
            f"| {rss:.2f} | {row.target or '–'} | {met} | {row.ours.note or (b.note if b else '')} |")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({cpu}), {int(mem) / 1024**2:.1f} GB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}; load average at start "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,362000,1000000")
    parser.add_argument("--work", default="/tmp/netpet-bench", help="Folder for the demo files and registries.")
    parser.add_argument("--out", default=None, help="Markdown file to write the results into.")
    parser.add_argument("--keep", action="store_true", help="Keep the registries and files afterwards.")
    parser.add_argument("--reuse", action="store_true",
                        help="Reuse a kept registry of an earlier run (skips writing the files and the import).")
    parser.add_argument("--items", default=None,
                        help="Only these items, by child name (e.g. km,cox,tv_cox,cold_start, or latency: the "
                        "whole-command table of benchmarks/latency.py); default all.")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](Path(args.work))))
        return
    started = datetime.now(UTC)
    lines: list[str] = []

    def log(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    header = [f"machine: {machine()}", f"date: {started:%Y-%m-%d %H:%M} UTC",
              "command: " + shlex.join(["python", *sys.argv])]
    for text in header:
        print(text)
    only = set(args.items.split(",")) if args.items else None
    latency: list[str] = []
    if only is None or "latency" in only:  # whole commands on the 1,000-patient demo against Rscripts
        from latency import latency_table

        latency = latency_table(Path(args.work) / "latency", log=print)
    print(HEADER)
    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s and (only is None or only - {"latency"})):
        work = Path(args.work) / str(size)
        rows += bench_size(size, work, lambda text: print(text, flush=True) if text.startswith("|") else log(text),
                           reuse=args.reuse, only=only)
        if not args.keep:
            shutil.rmtree(work)
    if args.out:
        table = "\n".join([HEADER, "|" + "---|" * 13, *map(render_row, rows)])
        Path(args.out).write_text(
            "# Benchmark results\n\n" + "\n".join(f"- {t}" for t in header) + "\n\n"
            + ("## Whole-command latency (1,000-patient demo, benchmarks/latency.py)\n\n" + "\n".join(latency)
               + "\n\n" if latency else "") + table + "\n\n"
            + "\n".join(f"- {t}" for t in lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
