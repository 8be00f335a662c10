"""Swimmer plots (one lane per patient over follow-up) and the score-transition figure.

This module owns the drawing of patient-level timelines: each lane runs from the origin (the first dual-PET
timepoint) to death or the end of follow-up, with timepoints coloured by NETPET score, treatment courses as
bars, progression and death markers, and an arrow where follow-up is ongoing. The numbers come as tidy
frames (`swimmer_frames`, `netpet.analysis.studies.longitudinal.score_transitions`) and are plotted as given,
so tests can compare artists with frames. Style and palette come from `netpet.analysis.outputs.figures`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.outputs.figures import group_order, group_styles, journal_style, new_figure
from netpet.analysis.studies.transitions import transition_matrix
from netpet.analysis.vocabulary import TIME_UNITS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from netpet.registry import Registry

__all__ = ["swimmer_frames", "swimmer_plot", "transition_figure"]

#: Treatment classes drawn as bars, with Okabe-Ito colours the score markers do not use.
TREATMENT_CLASSES: dict[str, tuple[str, str]] = {
    "prrt_lu177_dotatate": ("PRRT", "#CC79A7"),
    "ssa_octreotide": ("SSA", "#F0E442"),
    "ssa_lanreotide": ("SSA", "#F0E442"),
    "capecitabine_temozolomide": ("Chemotherapy", "#000000"),
    "platinum_etoposide": ("Chemotherapy", "#000000"),
}
OTHER_TREATMENT = ("Other therapy", "0.55")
LANE_COLOUR = "0.88"
Patients = int | Sequence[str] | pl.DataFrame | None
#: Timepoint markers by score: colour and shape both differ, so P4, P5 and progression (an open black
#: diamond) are told apart in colour, in greyscale and by readers with a colour-vision deficiency.
SCORE_MARKERS: dict[str, tuple[str, str]] = {
    "P0": ("#FFFFFF", "o"), "P1": ("#0072B2", "o"), "P2": ("#56B4E9", "o"), "P3": ("#009E73", "o"),
    "P4": ("#E69F00", "^"), "P5": ("#D55E00", "s"),
}
#: Lane orders: which patients `--patients N` takes and the order drawn, top to bottom.
SORTS: dict[str, str] = {
    "follow-up": "longest follow-up first",
    "id": "patient ID",
    "origin": "earliest first dual-PET timepoint first",
    "score": "worst baseline NETPET score first",
}


def swimmer_frames(reg: Registry, patients: Patients = None, *, time_unit: str = "months", sort: str | None = None,
                   count: int | None = None) -> dict[str, pl.DataFrame]:
    """Return the frames a swimmer plot draws, times in `time_unit` from each patient's origin.

    Parameters
    ----------
    reg : Registry
        The registry.
    patients : int, sequence of str or pl.DataFrame, optional
        The first N patients (by ID), a list of patient IDs, or a cohort frame with ``patient_id``;
        all patients with a dual-PET timepoint by default.
    time_unit : str
        days, weeks, months or years.
    sort : str, optional
        Order of the lanes (`SORTS`): the first `count` patients in it are drawn, in it, top to bottom
        (lanes get a ``rank``, 0 on top). Without it, lanes are drawn longest follow-up on top.
    count : int, optional
        At most this many patients (of `patients`, in `sort` order).

    Returns
    -------
    dict of pl.DataFrame
        ``lanes`` (patient_id, end, is_dead[, rank]), ``timepoints`` (patient_id, time, netpet_score),
        ``treatments`` (patient_id, treatment, start, stop, is_ongoing), ``events`` (patient_id, event, time).
    """
    if time_unit not in TIME_UNITS:
        raise AnalysisError(f"unknown time unit {time_unit!r}; choose one of {', '.join(TIME_UNITS)}")
    scale = TIME_UNITS[time_unit]
    lanes = _select_lanes(reg.query_file("queries", "swimmer_lanes"), patients)
    if sort is not None:
        lanes = _sorted_lanes(lanes, reg.query_file("queries", "timepoint_days"), sort)
    if count is not None:
        lanes = lanes.head(count)
    keep = lanes.select("patient_id")

    def scaled(name: str, columns: Mapping[str, str], *extra: str) -> pl.DataFrame:
        rows = reg.query_file("queries", name).join(keep, on="patient_id", how="semi")
        return rows.select("patient_id", *extra, *[(pl.col(c) / scale).alias(a) for c, a in columns.items()])

    return {
        "lanes": lanes.select("patient_id", (pl.col("end_day") / scale).alias("end"), "is_dead",
                              *(["rank"] if sort is not None else [])),
        "timepoints": scaled("timepoint_days", {"day": "time"}, "netpet_score"),
        "treatments": scaled("swimmer_treatments", {"start_day": "start", "stop_day": "stop"}, "treatment",
                             "is_ongoing"),
        "events": scaled("swimmer_events", {"day": "time"}, "event"),
    }


def _select_lanes(lanes: pl.DataFrame, patients: Patients) -> pl.DataFrame:
    if patients is None:
        return lanes
    if isinstance(patients, int):
        return lanes.head(patients)
    wanted = patients["patient_id"] if isinstance(patients, pl.DataFrame) else pl.Series("patient_id", patients)
    missing = sorted(set(wanted.to_list()) - set(lanes["patient_id"].to_list()))
    if missing and not isinstance(patients, pl.DataFrame):
        raise AnalysisError(f"no dual-PET timepoint for patient(s) {', '.join(missing[:10])}")
    return lanes.filter(pl.col("patient_id").is_in(wanted.to_list()))


def _sorted_lanes(lanes: pl.DataFrame, timepoints: pl.DataFrame, sort: str) -> pl.DataFrame:
    """Order lanes by `sort` (see `SORTS`), ties by patient ID, and number them from 0 (`rank`)."""
    from netpet.registry import RegistryError

    if sort not in SORTS:
        raise RegistryError(f"unknown swimmer order {sort!r}; choose one of {', '.join(SORTS)}")
    baseline = timepoints.sort("day").group_by("patient_id", maintain_order=True).first().select(
        "patient_id", pl.col("score").alias("baseline_score"))
    lanes = lanes.join(baseline, on="patient_id", how="left")
    keys = {"follow-up": (["end_day"], [True]), "id": ([], []), "origin": (["origin_date"], [False]),
            "score": (["baseline_score"], [True])}[sort]
    ordered = lanes.sort([*keys[0], "patient_id"], descending=[*keys[1], False], nulls_last=True)
    return ordered.drop("baseline_score").with_row_index("rank")


def swimmer_plot(
    data: Registry | Mapping[str, pl.DataFrame],
    patients: Patients = None,
    *,
    ax: Axes | None = None,
    time_unit: str = "months",
    sort: str | None = None,
    count: int | None = None,
    hide_ids: bool = False,
) -> Axes:
    """Draw one lane per patient, longest follow-up at the top, and return the Axes.

    Artists carry gids for checking: ``lanes`` (the bars), ``timepoints:<score>``, ``treatment:<class>``,
    ``progression``, ``death`` and ``ongoing`` (arrows at the end of lanes of patients alive at last contact).

    Parameters
    ----------
    data : Registry or mapping of pl.DataFrame
        A registry, or the frames of `swimmer_frames`.
    patients : int, sequence of str or pl.DataFrame, optional
        Which patients, when `data` is a registry (see `swimmer_frames`).
    ax : Axes, optional
        Axes to draw into; by default a new double-column figure sized to the number of lanes.
    time_unit : str
        Unit of the times, for the axis label (and for reading a registry).
    sort, count : optional
        Which patients and in which order, when `data` is a registry (see `swimmer_frames`).
    hide_ids : bool
        Label lanes 1, 2, ... from the top instead of with patient IDs (for slides and papers).

    Returns
    -------
    Axes
    """
    frames = data if isinstance(data, Mapping) else swimmer_frames(data, patients, time_unit=time_unit,
                                                                   sort=sort, count=count)
    lanes = frames["lanes"]
    lanes = (lanes.sort("rank", descending=True) if "rank" in lanes.columns
             else lanes.sort("end", "patient_id", descending=[False, True]))
    row = {pid: i for i, pid in enumerate(lanes["patient_id"].to_list())}
    with journal_style():
        if ax is None:
            ax = new_figure("double", height_mm=25.0 + 3.2 * max(lanes.height, 4)).add_subplot()
        ax.barh(list(row.values()), lanes["end"].to_list(), height=0.7, color=LANE_COLOUR, gid="lanes",
                label="_lanes")
        _draw_treatments(ax, frames["treatments"], row)
        _draw_timepoints(ax, frames["timepoints"], row)
        _draw_events(ax, frames["events"], lanes, row)
        ax.set_yticks(list(row.values()), [str(len(row) - i) for i in row.values()] if hide_ids else list(row))
        ax.set_ylim(-0.7, len(row) - 0.3)
        # A little room left of 0, so the first timepoint's marker is not cut in half.
        longest = float(lanes["end"].cast(pl.Float64).max() or 1.0)  # type: ignore[arg-type]
        ax.set_xlim(-0.01 * max(longest, 1.0), None)
        ax.set_xlabel(f"Time from first dual-PET timepoint ({time_unit})")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.2, borderaxespad=0)
    return ax


def _draw_treatments(ax: Axes, treatments: pl.DataFrame, row: Mapping[str, int]) -> None:
    classes = treatments.with_columns(
        pl.col("treatment").replace_strict({k: v[0] for k, v in TREATMENT_CLASSES.items()},
                                           default=OTHER_TREATMENT[0]).alias("class")
    )
    colours = dict((*TREATMENT_CLASSES.values(), OTHER_TREATMENT))
    for label in dict.fromkeys([*(v[0] for v in TREATMENT_CLASSES.values()), OTHER_TREATMENT[0]]):
        rows = classes.filter(pl.col("class") == label)
        if rows.height:
            ax.barh([row[p] for p in rows["patient_id"]], (rows["stop"] - rows["start"]).to_list(),
                    left=rows["start"].to_list(), height=0.28, color=colours[label], label=label,
                    gid=f"treatment:{label}", zorder=2)


def _draw_timepoints(ax: Axes, timepoints: pl.DataFrame, row: Mapping[str, int]) -> None:
    scored = timepoints.filter(pl.col("netpet_score").is_not_null())
    scores = group_order(scored["netpet_score"].unique().to_list())
    styles = group_styles(scores)
    for score in scores:
        rows = scored.filter(pl.col("netpet_score") == score)
        colour, marker = SCORE_MARKERS.get(score, (styles[score]["color"], "o"))
        ax.scatter(rows["time"].to_list(), [row[p] for p in rows["patient_id"]], s=16, marker=marker,
                   color=colour, edgecolors="black", linewidths=0.4, label=score,
                   gid=f"timepoints:{score}", zorder=4)
    unscored = timepoints.filter(pl.col("netpet_score").is_null())
    if unscored.height:
        ax.scatter(unscored["time"].to_list(), [row[p] for p in unscored["patient_id"]], s=16, marker="o",
                   facecolors="white", edgecolors="black", linewidths=0.4, label="Not scored",
                   gid="timepoints:unscored", zorder=4)


def _draw_events(ax: Axes, events: pl.DataFrame, lanes: pl.DataFrame, row: Mapping[str, int]) -> None:
    marks: dict[str, dict[str, Any]] = {
        "progression": {"marker": "D", "s": 16, "facecolors": "none", "edgecolors": "black",
                        "linewidths": 0.9, "label": "Progression"},
        "death": {"marker": "X", "s": 28, "color": "black", "linewidths": 0, "label": "Death"},
    }
    for event, style in marks.items():
        rows = events.filter(pl.col("event") == event)
        if rows.height:
            ax.scatter(rows["time"].to_list(), [row[p] for p in rows["patient_id"]], gid=event, zorder=5,
                       **style)
    alive = lanes.filter(~pl.col("is_dead"))
    if alive.height:
        ax.scatter(alive["end"].to_list(), [row[p] for p in alive["patient_id"]], marker=">", s=14,
                   color="0.3", linewidths=0, label="Follow-up ongoing", gid="ongoing", zorder=5)


def transition_figure(transitions: pl.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw the transition table as a heat map of row proportions, each cell labelled with n and %.

    Parameters
    ----------
    transitions : pl.DataFrame
        The output of `netpet.analysis.studies.longitudinal.score_transitions` (from, to, n, proportion).
    ax : Axes, optional
        Axes to draw into; by default a new single-column figure.

    Returns
    -------
    Axes
        The image has gid ``transitions`` and holds the row proportions, rows = from, columns = to.
    """
    counts = transition_matrix(transitions, value="n")
    shares = transition_matrix(transitions, value="proportion")
    levels = counts.columns[1:]
    grid = shares.select(levels).to_numpy()
    with journal_style():
        if ax is None:
            ax = new_figure("single", height_mm=75.0).add_subplot()
        image = ax.imshow(grid, cmap="Blues", vmin=0, vmax=1, gid="transitions")
        for i, row in enumerate(counts.select(levels).rows()):
            for j, n in enumerate(row):
                ax.text(j, i, f"{n}\n{grid[i, j]:.0%}", ha="center", va="center", fontsize=6,
                        color="white" if grid[i, j] > 0.6 else "black", gid=f"cell:{levels[i]}:{levels[j]}")
        ax.set_xticks(range(len(levels)), levels)
        ax.set_yticks(range(len(counts)), counts["from"].to_list())
        ax.set_xlabel("Score at next timepoint")
        ax.set_ylabel("Score at timepoint")
        ax.figure.colorbar(image, ax=ax, label="Row proportion", shrink=0.8)
    return ax
