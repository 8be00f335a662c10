"""Longitudinal analyses of the NETPET score: counting-process intervals, landmarks, transitions, treatment by score.

A registry follows patients over years, and the score can change at each restaging. This module turns the
sequence of dual-PET timepoints into (start, stop] intervals in which one score holds (for a time-varying
Cox model, as R's ``coxph(Surv(tstart, tstop, event) ~ ...)``), landmark cohorts grouped by the latest score
at the landmark, transition tables between consecutive timepoints, and outcomes after a treatment start by
the score before it. Impossible records (a score after death, overlapping intervals) are validation errors,
never silent fixes. Fitting is left to the survival engine (`netpet.analysis.survival.cox`, `.km`); drawing to
`netpet.analysis.outputs.swimmer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.frames import SurvivalData, survival_frame
from netpet.analysis.vocabulary import COVARIATES, ENDPOINTS, TIME_UNITS

if TYPE_CHECKING:
    from netpet.registry import Registry

PRRT = "prrt_lu177_dotatate"
SCORES = ("P0", "P1", "P2", "P3", "P4", "P5")
GROUPS = ("P0", "P1", "P2-4", "P5")
#: Transition tables by single score or by NETPET group: (from column, to column, levels).
TRANSITION_LEVELS: dict[str, tuple[str, ...]] = {"netpet_score": SCORES, "netpet_group": GROUPS}
ZERO_LENGTH = "zero-length interval (start = stop), dropped as R's coxph does"
NO_SCORE = "interval without a NETPET score"


def check_intervals(
    frame: pl.DataFrame, *, id_column: str = "patient_id", start: str = "entry", stop: str = "time"
) -> None:
    """Refuse counting-process rows that stop before they start or overlap another row of the same subject.

    These are the errors R's ``survcheck`` calls negative and overlap: a subject cannot be at risk twice at
    one time. Gaps are allowed (the subject is not at risk in between), and zero-length rows are left to the
    caller (R's ``Surv`` turns them into missing values, which ``coxph`` then drops).

    Parameters
    ----------
    frame : pl.DataFrame
        One row per subject x interval.
    id_column, start, stop : str
        The subject, interval start and interval stop columns.

    Raises
    ------
    ValidationError
        Listing every offending subject and interval in ``issues`` (id, start, stop, problem).
    """
    from netpet.registry import ValidationError

    rows = frame.select(
        pl.col(id_column).alias("id"), pl.col(start).alias("start"), pl.col(stop).alias("stop")
    ).sort("id", "start", "stop")
    previous_stop = pl.col("stop").shift(1).over("id")
    issues = rows.with_columns(
        pl.when(pl.col("stop") < pl.col("start"))
        .then(pl.lit("stop before start"))
        .when(pl.col("start") < previous_stop)
        .then(pl.lit("overlaps the previous interval"))
        .alias("problem")
    ).filter(pl.col("problem").is_not_null())
    if issues.height:
        listed = "; ".join(
            f"{r['id']} ({r['start']}, {r['stop']}]: {r['problem']}" for r in issues.head(10).iter_rows(named=True)
        )
        more = f" and {issues.height - 10} more" if issues.height > 10 else ""
        raise ValidationError(issues, f"{issues.height} invalid interval(s): {listed}{more}")


def check_scores_before_death(reg: Registry) -> None:
    """Refuse a registry in which a dual-PET timepoint is dated after the patient's death.

    Raises
    ------
    ValidationError
        Naming each patient and timepoint, with ``issues`` (patient_id, timepoint_id, timepoint_date, death_date).
    """
    from netpet.registry import ValidationError

    late = reg.query_file("queries", "timepoints_after_death")
    if late.height:
        listed = "; ".join(
            f"patient {r['patient_id']} timepoint {r['timepoint_id']} on {r['timepoint_date']} "
            f"(death {r['death_date']})"
            for r in late.head(10).iter_rows(named=True)
        )
        more = f" and {late.height - 10} more" if late.height > 10 else ""
        raise ValidationError(late, f"score recorded after death: {listed}{more}; correct the dates and re-import")


def score_intervals(
    reg: Registry,
    *,
    time_unit: str = "months",
    covariates: Sequence[str] = (),
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return each patient's follow-up as (entry, time] intervals in which one NETPET score holds.

    Time runs from the origin (the first dual-PET timepoint) to death (``event`` = 1 on the last interval)
    or censoring. Zero-length intervals (a single timepoint on the death date; two timepoints on one day)
    and intervals without a score are dropped and counted in ``excluded``, as R's ``coxph`` drops rows
    whose ``Surv`` is missing. Fixed covariates come from `patient_survival`.

    Parameters
    ----------
    reg : Registry
        The registry.
    time_unit : str
        days, weeks, months or years.
    covariates : sequence of str
        Fixed covariates (see `netpet.analysis.studies.frames.COVARIATES`) to attach to every interval.
    patients : pl.DataFrame, optional
        Restrict to these ``patient_id``s (a saved cohort).

    Returns
    -------
    SurvivalData
        ``frame``: patient_id, interval_number, timepoint_id, entry, time, event, score, netpet_score,
        netpet_group, group (= netpet_group) and the covariates; ``excluded``: rows dropped by reason.

    Raises
    ------
    ValidationError
        A score dated after death, or intervals that overlap.
    """
    if time_unit not in TIME_UNITS:
        raise AnalysisError(f"unknown time unit {time_unit!r}; choose one of {', '.join(TIME_UNITS)}")
    unknown = [c for c in covariates if c not in COVARIATES]
    if unknown:
        raise AnalysisError(f"unknown covariate(s) {', '.join(unknown)}; choose from {', '.join(COVARIATES)}")
    check_scores_before_death(reg)
    rows = reg.query_file("queries", "score_intervals")
    if patients is not None:
        rows = rows.join(patients.select("patient_id").unique(), on="patient_id", how="semi")
    check_intervals(rows, start="tstart_days", stop="tstop_days")
    excluded: dict[str, int] = {}
    for reason, bad in ((ZERO_LENGTH, pl.col("tstart_days") == pl.col("tstop_days")),
                        (NO_SCORE, pl.col("score").is_null())):
        if n := rows.filter(bad).height:
            excluded[reason] = n
        rows = rows.filter(~bad)
    scale = TIME_UNITS[time_unit]
    frame = rows.select(
        "patient_id",
        "interval_number",
        "timepoint_id",
        (pl.col("tstart_days") / scale).cast(pl.Float64).alias("entry"),
        (pl.col("tstop_days") / scale).cast(pl.Float64).alias("time"),
        pl.col("event").cast(pl.Int32),
        "score",
        "netpet_score",
        "netpet_group",
        pl.col("netpet_group").alias("group"),
    )
    if covariates:
        fixed = reg.query_file("queries", "patient_survival").select("patient_id", *dict.fromkeys(covariates))
        frame = frame.join(fixed, on="patient_id", how="left")
    return SurvivalData(frame, excluded, "os", "first-timepoint", time_unit, "netpet_group")


def time_varying_frame(
    reg: Registry,
    *,
    by: str = "netpet_group",
    time_unit: str = "months",
    covariates: Sequence[str] = (),
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return `score_intervals` shaped as `survival_frame` for a Cox model with the current score.

    ``group`` is the score (`by` = "netpet_score") or group (`by` = "netpet_group") in force on each
    interval; with groups, P0 intervals (no measurable disease) are dropped and counted, as P0 patients are
    in the baseline analyses. Fit with ``netpet.analysis.studies.cox_analysis.cox_analysis`` (cluster on
    ``patient_id`` for a robust variance per patient).

    Returns
    -------
    SurvivalData
        ``frame``: patient_id, interval_number, entry, time, event, group and the covariates.
    """
    if by not in TRANSITION_LEVELS:
        raise AnalysisError(f"a time-varying score is netpet_score or netpet_group, not {by!r}")
    data = score_intervals(reg, time_unit=time_unit, covariates=covariates, patients=patients)
    frame = data.frame
    excluded = dict(data.excluded)
    if by == "netpet_group" and (n := frame.filter(pl.col("netpet_group") == "P0").height):
        excluded["P0 interval (no measurable disease)"] = n
        frame = frame.filter(pl.col("netpet_group") != "P0")
    for cov in covariates:
        if n := frame.filter(pl.col(cov).is_null()).height:
            excluded[f"interval with missing {cov}"] = n
            frame = frame.filter(pl.col(cov).is_not_null())
    frame = frame.select(
        "patient_id", "interval_number", "entry", "time", "event", pl.col(by).alias("group"),
        *dict.fromkeys(covariates),
    )
    return SurvivalData(frame, excluded, "os", "first-timepoint (score over time)", time_unit, by)


def landmark_frame(
    reg: Registry,
    landmark: float,
    *,
    time_unit: str = "months",
    endpoint: str = "os",
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return the landmark cohort: patients event-free and in follow-up at `landmark`, timed from it.

    Each patient is grouped by the latest scored timepoint at or before the landmark (time from the origin),
    so that the group is known at the time zero of the analysis and no immortal time is counted.

    Parameters
    ----------
    reg : Registry
        The registry.
    landmark : float
        The landmark, in `time_unit`s after the origin (the first dual-PET timepoint).
    time_unit : str
        days, weeks, months or years.
    endpoint : str
        os, pfs or ttp.
    patients : pl.DataFrame, optional
        Restrict to these ``patient_id``s.

    Returns
    -------
    SurvivalData
        ``frame``: patient_id, entry (0), time from the landmark, event, group (NETPET group at the landmark),
        netpet_score; P0 and patients with an event or censoring at or before the landmark are counted in
        ``excluded``.
    """
    if landmark < 0:
        raise AnalysisError(f"the landmark must be >= 0, not {landmark}")
    data = survival_frame(reg, endpoint=endpoint, time_unit=time_unit, by=None, patients=patients)
    excluded = dict(data.excluded)
    at_risk = data.frame.filter(pl.col("time") > landmark)
    if n := data.frame.height - at_risk.height:
        excluded[f"{ENDPOINTS[endpoint][1].removesuffix('_event')} event or censored by the landmark"] = n
    landmark_day = landmark * TIME_UNITS[time_unit]
    latest = (
        reg.query_file("queries", "timepoint_days")
        .filter(pl.col("score").is_not_null() & (pl.col("day") <= landmark_day))
        .sort("patient_id", "day", "timepoint_number")
        .group_by("patient_id", maintain_order=True)
        .last()
        .select("patient_id", "netpet_score", pl.col("netpet_group").alias("group"))
    )
    frame = at_risk.join(latest, on="patient_id", how="left")
    for reason, bad in (("no NETPET score by the landmark", pl.col("group").is_null()),
                        ("P0 (no measurable disease)", pl.col("group") == "P0")):
        if n := frame.filter(bad).height:
            excluded[reason] = n
        frame = frame.filter(~bad)
    frame = frame.with_columns(pl.lit(0.0).alias("entry"), (pl.col("time") - landmark).alias("time"))
    frame = frame.select("patient_id", "entry", "time", "event", "group", "netpet_score")
    return SurvivalData(frame, excluded, endpoint, f"landmark {landmark:g} {time_unit}", time_unit, "netpet_group")


def treatment_outcomes(
    reg: Registry,
    *,
    treatment: str = PRRT,
    endpoint: str = "os",
    time_unit: str = "months",
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return outcomes from the first course of `treatment`, grouped by the score before it.

    The score is that of the last dual-PET timepoint on or before the treatment start. PFS counts a
    progression dated after the start, or death.

    Parameters
    ----------
    reg : Registry
        The registry.
    treatment : str
        A treatment of the registry format (default Lu-177 DOTATATE PRRT).
    endpoint : str
        "os" or "pfs".
    time_unit : str
        days, weeks, months or years.
    patients : pl.DataFrame, optional
        Restrict to these ``patient_id``s.

    Returns
    -------
    SurvivalData
        ``frame``: patient_id, treatment_id, start_date, entry (0), time, event, group (NETPET group before the
        treatment), netpet_score, days_since_timepoint; exclusions counted by reason.
    """
    from netpet.registry.columns import TREATMENTS

    if treatment not in TREATMENTS:
        raise AnalysisError(f"unknown treatment {treatment!r}; choose one of {', '.join(TREATMENTS)}")
    if endpoint not in ("os", "pfs"):
        raise AnalysisError(f"unknown endpoint {endpoint!r} after a treatment; choose os or pfs")
    if time_unit not in TIME_UNITS:
        raise AnalysisError(f"unknown time unit {time_unit!r}; choose one of {', '.join(TIME_UNITS)}")
    rows = restrict_to(reg.query_file("queries", "treatment_outcomes", {"treatment": treatment}), patients)
    excluded: dict[str, int] = {}
    for reason, bad in (
        ("no scored timepoint on or before the treatment start", pl.col("netpet_group").is_null()),
        ("P0 (no measurable disease)", pl.col("netpet_group") == "P0"),
        ("follow-up ends before the treatment start", pl.col(f"{endpoint}_days") < 0),
    ):
        if n := rows.filter(bad).height:
            excluded[reason] = n
        rows = rows.filter(~bad)
    frame = rows.select(
        "patient_id",
        "treatment_id",
        "start_date",
        pl.lit(0.0).alias("entry"),
        (pl.col(f"{endpoint}_days") / TIME_UNITS[time_unit]).cast(pl.Float64).alias("time"),
        pl.col(f"{endpoint}_event").cast(pl.Int32).alias("event"),
        pl.col("netpet_group").alias("group"),
        "netpet_score",
        (pl.col("start_date") - pl.col("timepoint_date")).dt.total_days().alias("days_since_timepoint"),
    )
    return SurvivalData(frame, excluded, endpoint, f"first {treatment}", time_unit, "netpet_group")


def restrict_to(rows: pl.DataFrame, patients: pl.DataFrame | None) -> pl.DataFrame:
    if patients is None:
        return rows
    return rows.join(patients.select("patient_id").unique(), on="patient_id", how="semi")
