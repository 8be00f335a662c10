"""Read the analysis views into polars frames ready for survival analysis; the one polars->pandas bridge.

`survival_frame` picks an endpoint and origin from the `patient_survival` view, converts days to the
requested unit, attaches the grouping and covariates, and counts every patient it leaves out by reason,
so that no exclusion is silent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    import pandas as pd

    from netpet.registry import Registry

#: Days per unit. A month is 365.25 / 12 = 30.4375 days, as in most survival software.
TIME_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}

#: endpoint -> (time column in days from the first timepoint, event column) in `patient_survival`.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "os": ("os_days", "os_event"),
    "pfs": ("pfs_days", "pfs_event"),
    "ttp": ("ttp_days", "ttp_event"),
}
ORIGINS = ("first-timepoint", "diagnosis")

#: Groupings a KM or Cox analysis can use, and the order of their levels.
GROUPINGS: dict[str, tuple[str, ...] | None] = {
    "netpet_group": ("P1", "P2-4", "P5"),
    "netpet_score": ("P0", "P1", "P2", "P3", "P4", "P5"),
    "who_grade": ("G1", "G2", "G3", "NEC"),
    "primary_site": None,  # levels in alphabetical order
    "site": None,
    "sex": None,
}

#: Covariates a Cox model may use (numeric or categorical) from `patient_survival`.
COVARIATES = ("ki67_percent", "who_grade", "age_at_origin", "age_at_diagnosis", "primary_site", "sex", "site")


@dataclass
class SurvivalData:
    """Analysis-ready rows (`frame`) and the count of patients left out by reason (`excluded`).

    `frame` has columns patient_id, entry, time, event, group (when grouped) and any covariates.
    `entry` is the delayed-entry time: 0 from the first timepoint; the time from diagnosis to the first
    timepoint when the origin is the diagnosis (patients join the risk set when they enter the registry).
    """

    frame: pl.DataFrame
    excluded: dict[str, int] = field(default_factory=dict)
    endpoint: str = "os"
    origin: str = "first-timepoint"
    time_unit: str = "months"
    by: str | None = "netpet_group"


def survival_frame(
    reg: Registry,
    *,
    endpoint: str = "os",
    origin: str = "first-timepoint",
    time_unit: str = "months",
    by: str | None = "netpet_group",
    covariates: Sequence[str] = (),
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return one row per analysable patient for `endpoint`, with every exclusion counted.

    `patients`, when given, restricts the analysis to its `patient_id`s (a saved cohort).
    """
    _check_choices(endpoint, origin, time_unit, by, covariates)
    time_col, event_col = ENDPOINTS[endpoint]
    wanted = ["patient_id", "origin_date", "diagnosis_date", time_col, event_col, *covariates]
    if by:
        wanted.append(by)
    from netpet.registry.sqlfiles import read_sql

    # Every name is from ENDPOINTS, GROUPINGS or COVARIATES, checked above: never user text.
    columns = ", ".join(dict.fromkeys(wanted))
    base = reg.query(read_sql("queries", "patient_survival_columns").replace("{{columns}}", columns))
    if patients is not None:
        base = base.join(patients.select("patient_id").unique(), on="patient_id", how="semi")
    return _prepare(base, endpoint, origin, time_unit, by, covariates)


def _check_choices(endpoint: str, origin: str, time_unit: str, by: str | None, covariates: Sequence[str]) -> None:
    from netpet.registry import RegistryError

    for value, allowed, what in (
        (endpoint, ENDPOINTS, "endpoint"),
        (origin, ORIGINS, "origin"),
        (time_unit, TIME_UNITS, "time unit"),
    ):
        if value not in allowed:
            raise RegistryError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    if by is not None and by not in GROUPINGS:
        raise RegistryError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise RegistryError(f"unknown covariate(s) {', '.join(unknown)}; choose from {', '.join(COVARIATES)}")


def _prepare(
    base: pl.DataFrame, endpoint: str, origin: str, time_unit: str, by: str | None, covariates: Sequence[str]
) -> SurvivalData:
    time_col, event_col = ENDPOINTS[endpoint]
    excluded: dict[str, int] = {}

    def drop(frame: pl.DataFrame, bad: pl.Expr, reason: str) -> pl.DataFrame:
        n = frame.filter(bad).height
        if n:
            excluded[reason] = excluded.get(reason, 0) + n
        return frame.filter(~bad)

    frame = drop(base, pl.col("origin_date").is_null(), "no dual-PET timepoint")
    if by in ("netpet_group", "netpet_score"):
        frame = drop(frame, pl.col(by).is_null(), "no NETPET score")
        if by == "netpet_group":
            frame = drop(frame, pl.col(by) == "P0", "P0 (no measurable disease)")
    elif by:
        frame = drop(frame, pl.col(by).is_null(), f"no {by}")
    frame = drop(frame, pl.col(time_col).is_null() | (pl.col(time_col) < 0), "impossible follow-up")
    for cov in covariates:
        frame = drop(frame, pl.col(cov).is_null(), f"missing {cov}")

    entry_days = (
        (pl.col("origin_date") - pl.col("diagnosis_date")).dt.total_days()
        if origin == "diagnosis"
        else pl.lit(0)
    )
    if origin == "diagnosis":
        frame = drop(frame, pl.col("diagnosis_date") > pl.col("origin_date"), "diagnosis after first timepoint")
    scale = TIME_UNITS[time_unit]
    out = frame.select(
        "patient_id",
        (entry_days / scale).cast(pl.Float64).alias("entry"),
        ((pl.col(time_col) + entry_days) / scale).cast(pl.Float64).alias("time"),
        pl.col(event_col).cast(pl.Int32).alias("event"),
        *([pl.col(by).alias("group")] if by else []),
        *[pl.col(c) for c in covariates if c != by],
    )
    return SurvivalData(out, excluded, endpoint, origin, time_unit, by)


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Convert a polars frame to pandas for lifelines (through pyarrow); the only such bridge."""
    return frame.to_pandas(use_pyarrow_extension_array=False)
