"""Time 10 import processes writing different sites into one PostgreSQL registry at once; check nothing is lost.

Usage: PYTHONPATH=. python benchmarks/postgres_concurrent_imports.py [PATIENTS] [PROCESSES] (default 2,000
patients, 10 processes). Writes the demo cohort, splits it into one folder per process (patients round
robin, every table following its patient), starts a throwaway PostgreSQL server (tests/pgserver.py), and
imports the folders (1) one after another in one process and (2) all at once, one process each, into two
fresh databases. Prints rows/s for both and compares every table with the files. Not run by pytest.
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from netpet.registry import Registry
from netpet.registry.columns import TABLES as TABLES_SPEC
from netpet.registry.columns import stored_name
from netpet.registry.demo import write_demo_files
from netpet.registry.ingest import import_folder
from tests.pgserver import PostgresServer, server_binaries
from tests.site_folders import TABLES, split_folder


def import_one(url: str, folder: Path) -> tuple[str, float, str]:
    """Import one folder in this process; return (folder name, seconds, "ok" or the error)."""
    start = time.perf_counter()
    try:
        with Registry.open(url) as reg:
            import_folder(reg, folder)
    except Exception as exc:  # a benchmark reports every failure rather than stopping at the first
        return folder.name, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return folder.name, time.perf_counter() - start, "ok"


def serial(url: str, folders: list[Path]) -> float:
    start = time.perf_counter()
    for folder in folders:
        name, _, status = import_one(url, folder)
        if status != "ok":
            raise SystemExit(f"serial import of {name} failed: {status}")
    return time.perf_counter() - start


def concurrent(url: str, folders: list[Path]) -> tuple[float, list[tuple[str, float, str]]]:
    # spawn, not fork: a forked DuckDB connection is not safe to use.
    with multiprocessing.get_context("spawn").Pool(len(folders)) as pool:
        start = time.perf_counter()
        results = pool.starmap(import_one, [(url, folder) for folder in folders])
        return time.perf_counter() - start, results


def lost_rows(url: str, expected: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Per table, rows in the files missing from the registry plus registry rows not in the files."""
    out = {}
    with Registry.open(url, read_only=True) as reg:
        for table in TABLES_SPEC:
            rows = expected[table.name].select(table.key)
            columns = ", ".join(f"{stored_name(table.name, c)} as {c}" for c in table.key)
            stored = reg.query(f"select {columns} from {table.name}")  # identifiers from the column spec
            out[table.name] = rows.join(stored, on=list(table.key), how="anti").height + stored.height - rows.height
    return out


def main(patients: int = 2000, processes: int = 10) -> None:
    bindir = server_binaries()
    if bindir is None:
        raise SystemExit("needs the PostgreSQL server binaries (apt-get install postgresql)")
    work = Path(tempfile.mkdtemp(prefix="netpet-bench-"))
    write_demo_files(work / "all", patients=patients)
    folders = split_folder(work / "all", work / "parts", shards=processes)
    expected = {t: pl.read_parquet(work / "all" / f"{t}.parquet") for t in TABLES}
    rows = sum(f.height for f in expected.values())
    server = PostgresServer(bindir)
    try:
        one_by_one = serial(server.migrated_database(), folders)
        url = server.migrated_database()
        wall, results = concurrent(url, folders)
        failed = [r for r in results if r[2] != "ok"]
        lost = lost_rows(url, expected)
        with Registry.open(url, read_only=True) as reg:
            batches = int(reg.query("select count(*) as n from import_batches")["n"][0])
    finally:
        server.stop()
    print(f"{patients} patients, {rows} rows in {len(folders)} folders; PostgreSQL {bindir.parent.name}")
    print(f"one process, folders in turn: {one_by_one:7.2f} s  {rows / one_by_one:9.0f} rows/s")
    print(f"{len(folders)} processes at once:     {wall:7.2f} s  {rows / wall:9.0f} rows/s "
          f"(x{one_by_one / wall:.2f}); per import {min(r[1] for r in results):.2f}-{max(r[1] for r in results):.2f} s")
    print(f"imports failed: {len(failed)}; import batches recorded: {batches} of {len(folders)}")
    for name, _, status in failed:
        print(f"  {name}: {status}")
    print("rows lost or extra per table: " + ", ".join(f"{t} {n}" for t, n in lost.items()))
    if failed or any(lost.values()) or batches != len(folders):
        raise SystemExit("FAILED: something was lost")
    print("nothing lost: every row of every file is in the registry exactly once")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
