"""How NETPET scores change between timepoints: transition counts and matrices, time spent in each score, and
who becomes discordant (P5) after PRRT or is given PRRT while P5."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.longitudinal import GROUPS, PRRT, SCORES, TRANSITION_LEVELS, restrict_to, score_intervals

if TYPE_CHECKING:
    from netpet.registry import Registry


def score_transitions(
    reg: Registry, *, by: str = "netpet_score", patients: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Count transitions between consecutive dual-PET timepoints, with row proportions.

    Parameters
    ----------
    reg : Registry
        The registry.
    by : str
        "netpet_score" (P0-P5) or "netpet_group" (P0, P1, P2-4, P5).
    patients : pl.DataFrame, optional
        Restrict to these ``patient_id``s.

    Returns
    -------
    pl.DataFrame
        One row per (from, to) pair of levels present in the data, in level order: from, to, n (pairs),
        patients (distinct patients with that transition), row_total and proportion (n / row_total).
        Pairs in which either timepoint is unscored are left out.
    """
    if by not in TRANSITION_LEVELS:
        raise AnalysisError(f"unknown transition grouping {by!r}; choose one of {', '.join(TRANSITION_LEVELS)}")
    column = by.removeprefix("netpet_")
    pairs = restrict_to(reg.query_file("queries", "score_transitions"), patients).select(
        "patient_id", pl.col(f"from_{column}").alias("from"), pl.col(f"to_{column}").alias("to")
    ).drop_nulls()
    levels = TRANSITION_LEVELS[by]
    counts = pairs.group_by("from", "to").agg(
        pl.len().cast(pl.Int64).alias("n"), pl.col("patient_id").n_unique().cast(pl.Int64).alias("patients")
    )
    counts = counts.with_columns(pl.col("n").sum().over("from").alias("row_total"))
    counts = counts.with_columns((pl.col("n") / pl.col("row_total")).alias("proportion"))
    rank = {level: i for i, level in enumerate(levels)}
    return counts.sort(
        pl.col("from").replace_strict(rank, return_dtype=pl.Int32),
        pl.col("to").replace_strict(rank, return_dtype=pl.Int32),
    )


def transition_matrix(transitions: pl.DataFrame, *, value: str = "n") -> pl.DataFrame:
    """Return the square from x to table of `value` ("n" or "proportion") with every level, zeros filled."""
    levels = _levels_of(transitions)
    full = pl.DataFrame({"from": [f for f in levels for _ in levels], "to": [t for _ in levels for t in levels]})
    filled = full.join(transitions.select("from", "to", value), on=["from", "to"], how="left").fill_null(0)
    return filled.pivot(on="to", index="from", values=value).select("from", *levels)


def _levels_of(transitions: pl.DataFrame) -> list[str]:
    present = set(transitions["from"].to_list()) | set(transitions["to"].to_list())
    order = SCORES if present <= set(SCORES) else GROUPS
    return [level for level in order if level in present]


def time_in_score(
    reg: Registry, *, by: str = "netpet_score", time_unit: str = "months", patients: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Return the follow-up time spent in each score: patients, intervals, person-time and its share.

    Time is counted on the (start, stop] intervals of `score_intervals`, so it ends at death or censoring.

    Returns
    -------
    pl.DataFrame
        level, patients, intervals, person_time, share (of all scored person-time), mean_per_patient.
    """
    if by not in TRANSITION_LEVELS:
        raise AnalysisError(f"unknown grouping {by!r}; choose one of {', '.join(TRANSITION_LEVELS)}")
    frame = score_intervals(reg, time_unit=time_unit, patients=patients).frame
    rank = {level: i for i, level in enumerate(TRANSITION_LEVELS[by])}
    out = frame.group_by(pl.col(by).alias("level")).agg(
        pl.col("patient_id").n_unique().cast(pl.Int64).alias("patients"),
        pl.len().cast(pl.Int64).alias("intervals"),
        (pl.col("time") - pl.col("entry")).sum().alias("person_time"),
    )
    return out.with_columns(
        (pl.col("person_time") / pl.col("person_time").sum()).alias("share"),
        (pl.col("person_time") / pl.col("patients")).alias("mean_per_patient"),
    ).sort(pl.col("level").replace_strict(rank, return_dtype=pl.Int32))


def discordant_after_prrt(
    reg: Registry, *, treatment: str = PRRT, patients: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Return the share of treated patients who became discordant (P5) after the first course's start.

    Evaluable patients were not P5 at the last timepoint on or before the start and have at least one
    scored timepoint after it; one row per pre-treatment score, then an "all" row.

    Returns
    -------
    pl.DataFrame
        score_before, treated, evaluable, became_p5, share (became_p5 / evaluable; null when none evaluable).
    """
    rows = restrict_to(reg.query_file("queries", "scores_after_treatment", {"treatment": treatment}), patients)
    rows = rows.with_columns(
        pl.col("score_before").fill_null("unscored"),
        (pl.col("score_before").is_not_null() & (pl.col("score_before") != "P5") & (pl.col("timepoints_after") > 0))
        .alias("evaluable"),
    )
    counts = (
        pl.len().cast(pl.Int64).alias("treated"),
        pl.col("evaluable").sum().cast(pl.Int64).alias("evaluable"),
        (pl.col("evaluable") & pl.col("p5_after")).sum().cast(pl.Int64).alias("became_p5"),
    )
    order = {level: i for i, level in enumerate((*SCORES, "unscored"))}
    by_score = rows.group_by("score_before").agg(*counts).sort(
        pl.col("score_before").replace_strict(order, return_dtype=pl.Int32)
    )
    total = rows.select(pl.lit("all").alias("score_before"), *counts)
    return pl.concat([by_score, total]).with_columns(
        pl.when(pl.col("evaluable") > 0).then(pl.col("became_p5") / pl.col("evaluable")).alias("share")
    )


def prrt_given_to_p5(reg: Registry, *, patients: pl.DataFrame | None = None) -> pl.DataFrame:
    """List PRRT courses started when the patient's latest score was P5 (discordant, not suited to PRRT).

    Returns
    -------
    pl.DataFrame
        patient_id, treatment_id, course_number, start_date, cycles, timepoint_id, timepoint_date,
        days_since_timepoint, netpet_score; one row per flagged course.
    """
    rows = restrict_to(reg.query_file("queries", "treatment_courses_scored", {"treatment": PRRT}), patients)
    return rows.filter(pl.col("score") == 5).select(
        "patient_id", "treatment_id", "course_number", "start_date", "cycles", "timepoint_id", "timepoint_date",
        "days_since_timepoint", "netpet_score",
    )
