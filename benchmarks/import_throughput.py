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

from registry import Registry
from registry.ingest import import_folder

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


def time_duckdb(folder: Path, db: Path) -> float:
    """Load the files with plain `read_csv` (auto-detected types) into tables of a fresh DuckDB file."""
    start = time.perf_counter()
    con = duckdb.connect(str(db))
    for table in TABLES:
        con.execute(f"create table {table} as select * from read_csv('{folder / (table + '.csv')}')")
    con.close()
    return time.perf_counter() - start


def time_import(folder: Path, db: Path) -> float:
    """Import the folder with `import_folder` into a fresh registry."""
    reg = Registry.create(db)
    start = time.perf_counter()
    import_folder(reg, folder, operator="benchmark")
    reg.close()
    return time.perf_counter() - start


def main(timepoints: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        folder.mkdir()
        start = time.perf_counter()
        rows = write_tables(folder, timepoints)
        print(f"wrote {rows:,} rows ({timepoints:,} timepoints) in {time.perf_counter() - start:.1f} s")
        plain = time_duckdb(folder, Path(tmp) / "plain.duckdb")
        ours = time_import(folder, Path(tmp) / "registry.duckdb")
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"duckdb read_csv: {plain:8.2f} s  {rows / plain:12,.0f} rows/s")
    print(f"import_folder:   {ours:8.2f} s  {rows / ours:12,.0f} rows/s")
    print(f"ratio import/read_csv: {ours / plain:.2f}x   peak RSS {peak_gb:.2f} GB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
