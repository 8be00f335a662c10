"""The demo's numeric frames in the interchange format, and the writers that append them table by table."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from netpet.registry.columns import (
    LOCATIONS,
    PRIMARY_SITES,
    SEXES,
    SSTR_TRACERS,
    STOP_REASONS,
    TREATMENTS,
    WHO_GRADES,
    Table,
)
from netpet.registry.demo_parameters import NO_DAY, ROW_GROUP_ROWS, SITES

# --- from numeric frames to the interchange format ----------------------------------------------------

_DETAILS = ("recist_1_1", "neuroendocrine tumour", "other cause")


def _label(column: str, values: tuple[str, ...], name: str | None = None) -> pl.Expr:
    """Map integer codes to their labels; -1 (or null) becomes null."""
    mapping = dict(enumerate(values))
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String).alias(name or column)


def _day(column: str, name: str) -> pl.Expr:
    """Day numbers (since 1970-01-01) as dates; `NO_DAY` becomes null."""
    return pl.when(pl.col(column) != NO_DAY).then(pl.col(column)).cast(pl.Int32).cast(pl.Date).alias(name)


def _pid(column: str = "pid") -> pl.Expr:
    return pl.format("D{}", pl.col(column).cast(pl.String).str.zfill(7))


def interchange_frames(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Turn the numeric frames of a batch into the import tables, columns in `netpet.registry.columns` order."""
    nan_to_null = pl.selectors.float().fill_nan(None)
    out = {
        "patients": frames["patients"].select(
            _pid().alias("patient_id"), _label("site", SITES), _label("sex", SEXES),
            _day("birth", "birth_date"),
            _day("diagnosis", "diagnosis_date"), _label("primary_site", PRIMARY_SITES),
            _label("grade", WHO_GRADES, "who_grade"), pl.col("ki67").alias("ki67_percent"),
        ),
        "pet_scans": frames["pet_scans"].select(
            pl.format("{}-{}{}", _pid(), pl.when("is_fdg").then(pl.lit("F")).otherwise(pl.lit("S")), "tp")
            .alias("scan_id"),
            _pid().alias("patient_id"), _label("tracer", (*SSTR_TRACERS, "fdg")), _day("day", "scan_date"),
        ),
        "timepoints": frames["timepoints"].select(
            pl.format("{}-T{}", _pid(), "tp").alias("timepoint_id"), _pid().alias("patient_id"),
            pl.format("{}-S{}", _pid(), "tp").alias("sstr_scan_id"),
            pl.format("{}-F{}", _pid(), "tp").alias("fdg_scan_id"),
            pl.when(pl.col("recorded") >= 0).then(pl.format("P{}", "recorded")).alias("netpet_score"),
        ),
        "lesion_reads": frames["lesion_reads"].select(
            pl.format("{}-T{}", _pid(), "tp").alias("timepoint_id"),
            pl.when(pl.col("location") == LOCATIONS.index("primary")).then(pl.lit("primary"))
            .otherwise(pl.format("{}-{}", _label("location", LOCATIONS), "lesion")).alias("lesion_id"),
            _label("location", LOCATIONS), "sstr_suvmax", "fdg_suvmax", "sstr_avid", "fdg_avid",
            _label("comparison", ("lower", "similar", "higher"), "fdg_vs_sstr"), "sstr_krenning",
        ),
        "treatments": frames["treatments"].select(
            pl.format("{}-R{}", _pid(), pl.int_range(1, pl.len() + 1).over("pid")).alias("treatment_id"),
            _pid().alias("patient_id"), _label("treatment", TREATMENTS), _day("start", "start_date"),
            _day("end", "end_date"), pl.when(pl.col("cycles") >= 1).then(pl.col("cycles")).alias("cycles"),
            "activity_gbq", _label("stop_reason", STOP_REASONS),
        ),
        "outcomes": frames["outcomes"].select(
            _pid().alias("patient_id"), _label("outcome", ("death", "progression", "last_contact")),
            _day("day", "outcome_date"), _label("detail", _DETAILS),
        ),
    }
    return {name: frame.with_columns(nan_to_null) for name, frame in out.items()}


# --- writers: one file per table, appended batch by batch ---------------------------------------------


class TableWriter:
    """Append batches to one CSV or Parquet file; Parquet row groups have a fixed size for determinism."""

    def __init__(self, path: Path, table: Table, fmt: str) -> None:
        import pyarrow as pa

        self.path, self.table, self.fmt, self.rows = path, table, fmt, 0
        kinds = {"text": pa.string(), "enum": pa.string(), "score": pa.string(), "date": pa.date32(),
                 "number": pa.float64(), "integer": pa.int64(), "boolean": pa.bool_()}
        self.schema = pa.schema([pa.field(c.name, kinds[c.kind]) for c in table.columns])
        self.pending: list = []
        self.pending_rows = 0
        self._writer = None
        self._file = None
        if fmt == "csv":
            self._file = path.open("wb")
            pl.DataFrame(schema=list(table.column_names)).write_csv(self._file)
        else:
            import pyarrow.parquet as pq

            self._writer = pq.ParquetWriter(path, self.schema)

    def write(self, frame: pl.DataFrame) -> None:
        frame = frame.select(self.table.column_names)
        self.rows += frame.height
        if self._file is not None:
            frame.write_csv(self._file, include_header=False)
            return
        self.pending.append(frame.to_arrow().cast(self.schema))
        self.pending_rows += frame.height
        while self.pending_rows >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa

        assert self._writer is not None  # only Parquet writers buffer
        data = pa.concat_tables(self.pending)
        # One contiguous chunk per row group: page and dictionary-fallback boundaries follow Arrow chunks.
        self._writer.write_table(data.slice(0, rows).combine_chunks(), row_group_size=rows)
        rest = data.slice(rows)
        self.pending, self.pending_rows = [rest], rest.num_rows

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        elif self._writer is not None:
            if self.pending_rows:
                self._flush(self.pending_rows)
            self._writer.close()
