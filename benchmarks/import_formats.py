"""Time importing a demo registry from an Excel workbook and from a REDCap export, beside polars reading them alone.

    PYTHONPATH=. python benchmarks/import_formats.py --patients 10000

Writes the demo site's tables as a workbook (one sheet per table) and as the NETPET REDCap project's raw export,
then times the import of each into an empty registry (created beforehand) against `polars.read_excel`
(fastexcel/calamine, every sheet) and `polars.read_csv` of the same file, and prints the ratios; the same content
imported from the CSV folder shows what the readers add. Never run by pytest.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from netpet.registry import Registry
from netpet.registry.demo import write_demo_files
from netpet.registry.ingest import import_folder
from netpet.registry.redcap import import_redcap
from netpet.registry.workbook import import_workbook
from tests.source_fixtures import registry_tables, write_redcap_export, write_workbook


def _timed(step: object, *args: object) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) of one call: CPU is the steadier on a busy machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    step(*args)  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


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

        csv_files = sorted((folder / "csv").glob("*.csv"))
        with (
            Registry.create(folder / "w.duckdb") as into_w,
            Registry.create(folder / "r.duckdb") as into_r,
            Registry.create(folder / "c.duckdb") as into_c,
        ):
            results = [
                ("CSV folder (for reference)", _timed(import_folder, into_c, folder / "csv"),
                 _timed(lambda: [pl.read_csv(f, infer_schema=False) for f in csv_files]), "polars.read_csv"),
                ("workbook", _timed(import_workbook, into_w, workbook),
                 _timed(lambda: pl.read_excel(workbook, sheet_id=0)), "polars.read_excel"),
                ("REDCap export", _timed(import_redcap, into_r, export),
                 _timed(lambda: pl.read_csv(export, infer_schema=False)), "polars.read_csv"),
            ]
    print(f"{args.patients} patients, {rows} rows in six tables")
    print("| source | netpet import wall / CPU (s) | polars alone wall / CPU (s) | baseline | ratio wall / CPU |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu), (base_wall, base_cpu), baseline in results:
        print(
            f"| {name} | {wall:.2f} / {cpu:.2f} | {base_wall:.2f} / {base_cpu:.2f} | {baseline} "
            f"| {wall / base_wall:.1f}x / {cpu / base_cpu:.1f}x |"
        )


if __name__ == "__main__":
    main()
