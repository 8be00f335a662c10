"""Time `import_folder` against DuckDB's own `read_csv` of the same files; print rows/s and the ratio.

Usage: PYTHONPATH=. python benchmarks/import_throughput.py [N_TIMEPOINTS] (default 1,000,000), which writes
N timepoints with 2N scans and N/4 patients as CSV to a temporary folder first. Not run by pytest.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from netpet.registry import Registry
from netpet.registry.ingest import import_folder

TABLES = ("patients", "pet_scans", "timepoints")


def write_tables(folder: Path, timepoints: int) -> int:
    """Write the synthetic CSV files into `folder`; return their total row count."""
    con = duckdb.connect()
    sql = (Path(__file__).with_suffix(".sql")).read_text(encoding="utf-8")
    for statement in filter(str.strip, sql.split(";")):
        con.execute(statement, {"timepoints": timepoints} if "$timepoints" in statement else None)
    con.execute("alter table bench_timepoints drop column sstr_date")
    rows = 0
    for table in TABLES:
        # COPY takes no parameter for its path; the path is our own temporary folder.
        con.execute(f"copy bench_{table} to '{folder / (table + '.csv')}' (header, delimiter ',')")
        rows += con.execute(f"select count(*) from bench_{table}").fetchone()[0]
    con.close()
    return rows


def time_duckdb(folder: Path, db: Path) -> tuple[float, float]:
    """Load the files with plain `read_csv` (auto-detected types) into new tables of a fresh DuckDB file."""
    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db))
    for table in TABLES:
        con.execute(
            f"create table {table} as select * from read_csv($path)", {"path": str(folder / f"{table}.csv")}
        )
    con.close()
    return time.perf_counter() - start, time.process_time() - cpu


def time_registry_schema(folder: Path, db: Path) -> tuple[float, float]:
    """Load the files with `read_csv` into a fresh registry's constrained tables (one transaction)."""
    reg = Registry.create(db)
    sql = Path(__file__).with_name("import_throughput_baseline.sql").read_text(encoding="utf-8")
    paths = {table: str(folder / f"{table}.csv") for table in TABLES}
    start, cpu = time.perf_counter(), time.process_time()
    with reg.transaction() as con:
        for statement in filter(str.strip, sql.split(";")):
            table = next(t for t in TABLES if f"${t}" in statement)
            con.execute(statement, {table: paths[table]})
    reg.close()
    return time.perf_counter() - start, time.process_time() - cpu


def time_import(folder: Path, db: Path) -> tuple[float, float]:
    """Import the folder with `import_folder` into a fresh registry."""
    reg = Registry.create(db)
    start, cpu = time.perf_counter(), time.process_time()
    import_folder(reg, folder, operator="benchmark")
    reg.close()
    return time.perf_counter() - start, time.process_time() - cpu


def main(timepoints: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        folder.mkdir()
        start = time.perf_counter()
        rows = write_tables(folder, timepoints)
        print(f"wrote {rows:,} rows ({timepoints:,} timepoints) in {time.perf_counter() - start:.1f} s")
        timings = {
            "duckdb read_csv": time_duckdb(folder, Path(tmp) / "plain.duckdb"),
            "read_csv into registry schema": time_registry_schema(folder, Path(tmp) / "schema.duckdb"),
            "import_folder": time_import(folder, Path(tmp) / "registry.duckdb"),
        }
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    for name, (wall, cpu) in timings.items():
        print(
            f"{name:30s} wall {wall:7.2f} s {rows / wall:11,.0f} rows/s"
            f"   cpu {cpu:7.2f} s {rows / cpu:11,.0f} rows/s"
        )
    ours, plain = timings["import_folder"], timings["duckdb read_csv"]
    print(
        f"ratio import_folder / duckdb read_csv: wall {ours[0] / plain[0]:.2f}x,"
        f" cpu {ours[1] / plain[1]:.2f}x"
    )
    schema = timings["read_csv into registry schema"]
    print(
        f"ratio import_folder / read_csv into registry schema: wall {ours[0] / schema[0]:.2f}x, "
        f"cpu {ours[1] / schema[1]:.2f}x"
    )
    print(
        f"peak RSS {peak_gb:.2f} GB (the machine's load shows in wall time; cpu is process time, all threads)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
