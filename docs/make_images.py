"""Write the README's longitudinal figures from the demo registry: docs/images/swimmer_demo.png.

Run from the repository root: ``PYTHONPATH=. python docs/make_images.py``. The demo files are generated
in a temporary folder and loaded into a temporary registry; the figure shows the first 30 patients.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from analysis.figures import save_figure
from analysis.longitudinal import score_transitions
from analysis.swimmer import swimmer_plot, transition_figure
from registry import Registry
from registry.columns import TABLES_BY_NAME
from registry.demo import write_demo_files

IMAGES = Path(__file__).parent / "images"


def load_demo(reg: Registry, folder: Path, patients: int) -> None:
    """Load demo files into `reg` (recorded scores, no lesion reads) until the importer is on main."""
    write_demo_files(folder, patients=patients)
    for table in ("patients", "pet_scans", "timepoints", "treatments", "outcomes"):
        assert table in TABLES_BY_NAME
        rows = pl.read_parquet(folder / f"{table}.parquet")
        if table == "timepoints":
            rows = rows.with_columns(
                pl.col("netpet_score").str.strip_prefix("P").cast(pl.Int16).alias("recorded_score")
            ).drop("netpet_score")
        reg.con.register("staged_rows", rows.to_arrow())
        reg.con.execute(f"insert into {table} by name select * from staged_rows")
        reg.con.unregister("staged_rows")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Registry.create(Path(tmp) / "demo.duckdb") as reg:
        load_demo(reg, Path(tmp) / "demo", patients=1000)
        ax = swimmer_plot(reg, 30)
        save_figure(ax.figure, IMAGES / "swimmer_demo.png", preset="double", dpi=200)
        ax = transition_figure(score_transitions(reg, by="netpet_group"))
        save_figure(ax.figure, IMAGES / "transitions_demo.png", preset="single", dpi=200)


if __name__ == "__main__":
    main()
