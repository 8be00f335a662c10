"""Split an interchange folder into one folder per site (or per shard), for concurrent-import tests.

Every table follows its patient: patients, scans, timepoints, treatments and outcomes by `patient_id`,
lesion reads by their timepoint's patient. Used by tests/test_postgres_concurrency.py and
benchmarks/postgres_concurrent_imports.py.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

TABLES = ("patients", "pet_scans", "timepoints", "lesion_reads", "treatments", "outcomes")


def split_folder(folder: Path, out: Path, *, shards: int | None = None) -> list[Path]:
    """Write one folder per site (`shards=None`) or per shard of patients (round robin); return them.

    Each output folder holds the six tables as Parquet, restricted to its patients.
    """
    tables = {name: pl.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    patients = tables["patients"].with_row_index("i")
    part = pl.col("site") if shards is None else (pl.col("i") % shards).cast(pl.String).str.zfill(2)
    owner = patients.select("patient_id", part.alias("part"))
    via_timepoint = tables["timepoints"].select("timepoint_id", "patient_id").join(owner, on="patient_id")
    folders = []
    for name in owner["part"].unique().sort().to_list():
        target = out / str(name)
        target.mkdir(parents=True, exist_ok=True)
        mine = owner.filter(pl.col("part") == name).select("patient_id")
        mine_tp = via_timepoint.filter(pl.col("part") == name).select("timepoint_id")
        for table, frame in tables.items():
            key, keep = ("timepoint_id", mine_tp) if table == "lesion_reads" else ("patient_id", mine)
            frame.join(keep, on=key, how="semi").write_parquet(target / f"{table}.parquet")
        folders.append(target)
    return folders
