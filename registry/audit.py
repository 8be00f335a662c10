"""Run the data checks in `sql/checks/` and collect their failing rows into one tidy table.

A check is a query that returns the rows that fail it (dbt's data tests): an empty result passes. The file
name is the check's name, and its header comment says what it checks and why. This module runs the
checks and summarises them; the report around them is `netpet.analysis.outputs.audit_report`. A costly check
may have a cheap precheck (`sql/checks/prechecks/<name>.sql`) that says when it cannot fail, so it is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.errors import RegistryError
from netpet.registry.sqlfiles import sql_files

if TYPE_CHECKING:
    from netpet.registry.db import Registry
    from netpet.registry.import_files import Progress

SEVERITIES = ("error", "warning", "info")

#: The folder (under `sql/checks/`) of the optional prechecks: `<check name>.sql`, one boolean `may_fail`.
PRECHECKS = "prechecks"

#: The columns of `run_checks`, in order.
FAILURE_SCHEMA: dict[str, type[pl.DataType]] = {
    "check": pl.String,
    "severity": pl.String,
    "patient_id": pl.String,
    "record_id": pl.String,
    "message": pl.String,
}


def check_catalogue() -> pl.DataFrame:
    """Return every check with its description (its header comment up to the "Why:" line).

    Returns
    -------
    pl.DataFrame
        Columns `check`, `description`, one row per file in `sql/checks/`, in name order.
    """
    rows = []
    for path in sql_files("checks"):
        header = []
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.removeprefix("--").strip()
            if not line.startswith("--") or text.startswith("Why:"):
                break
            header.append(text)
        description = " ".join(header).partition(":")[2].strip()
        rows.append({"check": path.stem, "description": description})
    return pl.DataFrame(rows, schema={"check": pl.String, "description": pl.String})


def run_checks(reg: Registry, *, as_of: date, lost_after_days: int = 365,
               progress: Progress | None = None) -> pl.DataFrame:
    """Run every check and return their failing rows as one table.

    Parameters
    ----------
    reg
        An open registry.
    as_of
        The date the audit describes: open treatment courses run to it, and follow-up is judged at it.
    lost_after_days
        A living patient with no contact for longer than this before `as_of` is lost to follow-up.
    progress
        Called as `progress("checks", done, total)` after each check.

    Returns
    -------
    pl.DataFrame
        Columns `check, severity, patient_id, record_id, message`, sorted by check, patient and record.
        A check that passes contributes no rows.
    """
    params = {
        "as_of": as_of,
        "lost_after_days": int(lost_after_days),
        "pairing_window_days": int(reg.setting("pairing_window_days")),
    }
    frames = [pl.DataFrame(schema=FAILURE_SCHEMA)]
    checks = sql_files("checks")
    for done, path in enumerate(checks, start=1):
        rows = run_check(reg, path.stem, params)
        bad = set(rows["severity"].unique().to_list()) - set(SEVERITIES)
        if bad:
            raise RegistryError(f"check checks/{path.name} returned unknown severities {sorted(bad)}")
        frames.append(
            rows.select(
                pl.lit(path.stem).alias("check"),
                pl.col("severity").cast(pl.String),
                pl.col("patient_id").cast(pl.String),
                pl.col("record_id").cast(pl.String),
                pl.col("message").cast(pl.String),
            )
        )
        if progress is not None:
            progress("checks", done, len(checks))
    return pl.concat(frames).sort("check", "patient_id", "record_id", nulls_last=True)


def run_check(reg: Registry, name: str, params: Mapping[str, object] | None = None) -> pl.DataFrame:
    """Run the check `checks/<name>.sql`, or return no rows when its precheck (`checks/prechecks/<name>.sql`)
    rules failure out.

    A precheck is a cheap query of one boolean column `may_fail` (e.g. digests of two tables before a row
    diff); it must be true whenever the check would return rows, so that skipping the check changes nothing.
    """
    path = next((p for p in sql_files("checks") if p.stem == name), None)
    if path is None:
        raise RegistryError(f"no check named {name!r}; check_catalogue() lists them")
    params = dict(params or {})

    try:
        if (path.parent / PRECHECKS / path.name).is_file():
            may_fail = reg.query_file(f"checks/{PRECHECKS}", path.stem, params)["may_fail"]
            if may_fail.len() == 1 and may_fail[0] is False:
                return pl.DataFrame(schema={k: v for k, v in FAILURE_SCHEMA.items() if k != "check"})
        return reg.query_file("checks", path.stem, params)
    except Exception as exc:  # a broken check file is the registry's fault, named by file
        raise RegistryError(f"check checks/{path.name} failed to run: {exc}") from exc


def check_summary(failures: pl.DataFrame) -> pl.DataFrame:
    """Summarise failing rows per check, listing every check (passing ones with zero rows).

    Parameters
    ----------
    failures
        The table returned by `run_checks`.

    Returns
    -------
    pl.DataFrame
        Columns `check, description, severity, failing_rows, patients, status` (status `pass`/`fail`), one
        row per check file; severity is the worst severity the check returned (empty when it passed).
    """
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    counts = (
        failures.with_columns(pl.col("severity").replace_strict(rank, return_dtype=pl.Int32).alias("_rank"))
        .group_by("check")
        .agg(
            pl.col("_rank").min().alias("_rank"),
            pl.len().alias("failing_rows"),
            pl.col("patient_id").n_unique().alias("patients"),
        )
        .with_columns(
            pl.col("_rank")
            .replace_strict(dict(enumerate(SEVERITIES)), return_dtype=pl.String)
            .alias("severity")
        )
    )
    return (
        check_catalogue()
        .join(counts, on="check", how="left")
        .with_columns(
            pl.col("failing_rows").fill_null(0).cast(pl.Int64),
            pl.col("patients").fill_null(0).cast(pl.Int64),
            pl.col("severity").fill_null(""),
        )
        .with_columns(
            pl.when(pl.col("failing_rows") > 0).then(pl.lit("fail")).otherwise(pl.lit("pass")).alias("status")
        )
        .select("check", "description", "severity", "failing_rows", "patients", "status")
    )


def has_errors(failures: pl.DataFrame) -> bool:
    """Return True when any failing row has severity `error` (the audit then fails a pipeline)."""
    return bool((failures["severity"] == "error").any())
