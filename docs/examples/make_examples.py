"""Write the README's example import folders: `site-data/` (one site's tables) and `fixes/` (corrections).

`site-data/` holds 40 synthetic patients of one site as CSV in the interchange format (the demo
generator, seed 7, with the site's own IDs); `fixes/` holds two of those patients' rows with a corrected
Ki-67, for `netpet import docs/examples/fixes/ --update`. Run from the repository root:
``python docs/examples/make_examples.py``; the files are the same on every run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

import polars as pl  # noqa: E402

from netpet.registry.demo import write_demo_files  # noqa: E402

HERE = Path(__file__).resolve().parent
SITE = "Leeds"
#: The demo's IDs (D0000000, D0000000-T1, ...) become the site's (LDS-0000, LDS-0000-T1, ...).
ID_PREFIX = ("D000", "LDS-")
#: Ki-67 re-read by the pathologist for two patients: the example update.
KI67_FIXES = {"LDS-0003": 14.0, "LDS-0011": 2.5}


def site_tables() -> dict[str, pl.DataFrame]:
    """Return the 40 example patients' six tables, with the site's name and IDs."""
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_files(Path(tmp), patients=40, seed=7)
        tables = {path.stem: pl.read_parquet(path) for path in sorted(Path(tmp).glob("*.parquet"))}
    old, new = ID_PREFIX
    renamed = {}
    for name, frame in tables.items():
        ids = [c for c in frame.columns if c.endswith("_id") and c != "lesion_id"]
        frame = frame.with_columns(pl.col(ids).str.replace(f"^{old}", new))
        if "site" in frame.columns:
            frame = frame.with_columns(pl.lit(SITE).alias("site"))
        renamed[name] = frame
    return renamed


def main() -> None:
    """Write site-data/*.csv and fixes/patients.csv beside this script."""
    tables = site_tables()
    for folder in ("site-data", "fixes"):
        (HERE / folder).mkdir(exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(HERE / "site-data" / f"{name}.csv")
    fixed = tables["patients"].filter(pl.col("patient_id").is_in(list(KI67_FIXES))).with_columns(
        pl.col("patient_id").replace_strict(KI67_FIXES, return_dtype=pl.Float64).alias("ki67_percent")
    )
    fixed.write_csv(HERE / "fixes" / "patients.csv")


if __name__ == "__main__":
    main()
