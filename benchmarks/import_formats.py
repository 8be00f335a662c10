"""Time importing a demo registry from an Excel workbook and from a REDCap export, beside polars reading them alone.

    PYTHONPATH=. python benchmarks/import_formats.py --patients 10000

Writes the demo site's tables as a workbook (one sheet per table) and as the NETPET REDCap project's raw export,
then times `netpet import` of each into an empty registry against `polars.read_excel` (fastexcel/calamine, every
sheet) and `polars.read_csv` of the same file, and prints the ratios. Never run by pytest.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from registry import Registry
from registry.demo import write_demo_files
from registry.ingest import import_folder
from registry.redcap import import_redcap
from registry.workbook import import_workbook
from tests.source_fixtures import registry_tables, write_redcap_export, write_workbook


def _timed(step: object, *args: object) -> float:
    start = time.perf_counter()
    step(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    """Build the files, time both imports and both polars reads, print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_demo_files(folder / "csv", patients=args.patients, fmt="csv")
        with Registry.create(folder / "source.duckdb") as reg:
            import_folder(reg, folder / "csv")
            tables = registry_tables(reg)
        workbook = write_workbook(tables, folder / "site.xlsx")
        export = write_redcap_export(tables, folder / "export.csv")
        rows = sum(t.height for t in tables.values())

        def into_new(importer: object, path: Path, name: str) -> None:
            with Registry.create(folder / f"{name}.duckdb") as reg:
                importer(reg, path)  # type: ignore[operator]

        results = [
            ("workbook", _timed(into_new, import_workbook, workbook, "w"),
             _timed(lambda: pl.read_excel(workbook, sheet_id=0)), "polars.read_excel"),
            ("REDCap export", _timed(into_new, import_redcap, export, "r"),
             _timed(lambda: pl.read_csv(export, infer_schema=False)), "polars.read_csv"),
        ]
    print(f"{args.patients} patients, {rows} rows in six tables")
    print("| source | netpet import (s) | polars alone (s) | baseline | ratio |")
    print("|---|---|---|---|---|")
    for name, ours, theirs, baseline in results:
        print(f"| {name} | {ours:.2f} | {theirs:.2f} | {baseline} | {ours / theirs:.1f}x |")


if __name__ == "__main__":
    main()
