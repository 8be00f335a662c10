"""Write the README's example imports: `site-data/` (one site's tables), the same patients as a workbook
(`site-data.xlsx`) and as a REDCap raw-data export (`site-data-redcap.csv`), `fixes/` (corrections) and
`late-pair/` (a dual-PET timepoint whose scans are 75 days apart).

`site-data/` holds 40 synthetic patients of one site as CSV in the interchange format (the demo
generator, seed 7, with the site's own IDs); `fixes/` holds two of those patients' rows with a corrected
Ki-67, for `netpet import docs/examples/fixes/ --update`; `late-pair/` holds one more patient whose scans
are paired 75 days apart, which imports only with a wider window (`netpet import docs/examples/late-pair/
--window-days 90`). Run from the repository root:
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
from tests.source_fixtures import write_redcap_export, write_workbook  # noqa: E402

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


#: One patient whose SSTR and FDG scans, read together, are 75 days apart.
LATE_PAIR: dict[str, dict[str, list]] = {
    "patients": {"patient_id": ["LDS-0040"], "site": [SITE], "sex": ["female"], "birth_date": ["1961-03-02"],
                 "diagnosis_date": ["2019-05-14"], "primary_site": ["lung"], "who_grade": ["G2"],
                 "ki67_percent": [6.0]},
    "pet_scans": {"scan_id": ["LDS-0040-S1", "LDS-0040-F1"], "patient_id": ["LDS-0040", "LDS-0040"],
                  "tracer": ["ga68_dotatate", "fdg"], "scan_date": ["2019-06-03", "2019-08-17"]},
    "timepoints": {"timepoint_id": ["LDS-0040-T1"], "patient_id": ["LDS-0040"], "sstr_scan_id": ["LDS-0040-S1"],
                   "fdg_scan_id": ["LDS-0040-F1"], "netpet_score": ["P2"]},
}


def main() -> None:
    """Write site-data/*.csv, site-data.xlsx, site-data-redcap.csv, fixes/ and late-pair/ beside this script."""
    tables = site_tables()
    write_workbook(tables, HERE / "site-data.xlsx")
    write_redcap_export(tables, HERE / "site-data-redcap.csv")
    for name, columns in LATE_PAIR.items():
        (HERE / "late-pair").mkdir(exist_ok=True)
        pl.DataFrame(columns).write_csv(HERE / "late-pair" / f"{name}.csv")
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
