"""The Kaplan-Meier figure: curves by group with censor marks, medians, p value and risk tables below.

survminer's ggsurvplot is the anchor for what researchers expect (number at risk, cumulative events, one
tick rule whose axis ends where the last group still has patients at risk). Style, palette and saving are
`netpet.analysis.outputs.figures`'."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.outputs.figures import (
    JOURNAL_RC,
    figure_of,
    group_order,
    group_styles,
    journal_style,
    new_figure,
)
from netpet.analysis.outputs.tables import format_p

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


#: Tick steps per time unit, smallest first, and the usual step (a year) of each unit.
TICK_STEPS: dict[str, tuple[float, ...]] = {
    "months": (3, 6, 12, 24, 36, 48, 60, 120), "years": (0.5, 1, 2, 5, 10), "weeks": (4, 26, 52, 104, 260),
    "days": (30, 180, 365, 730, 1825),
}


USUAL_STEP: dict[str, float] = {"months": 12, "years": 1, "weeks": 52, "days": 365}


def time_breaks(t_end: float, time_unit: str = "months", *, every: float | None = None,
                max_ticks: int = 9) -> list[float]:
    """Return x-axis ticks 0, step, 2 step, ... up to `t_end`: the one tick rule of every KM figure.

    The step is `every` when given; else 12 months (whole years, 52 weeks, 365 days), a shorter step when
    follow-up is under three steps, doubled up the unit's steps until at most `max_ticks` ticks remain.
    """
    if every is not None:
        if every <= 0:
            raise ValueError(f"the tick step must be positive, not {every}")
        step = every
    else:
        options = TICK_STEPS.get(time_unit, (1,))
        shorter = [s for s in options if s <= USUAL_STEP.get(time_unit, 1)]
        start = next((s for s in reversed(shorter) if t_end >= 3 * s), shorter[0])
        larger = [s for s in options if s >= start]
        step = next((s for s in larger if t_end // s + 1 <= max_ticks), larger[-1])
    return [step * i for i in range(int(t_end // step) + 1)] if t_end > 0 else [0.0]


def at_risk_counts(km_table: pl.DataFrame, group: str, times: Sequence[float]) -> list[int]:
    """Return the number at risk at each of `times`: n_risk of the first row at or after it, as R's summary.

    Past the last row nobody is at risk (0).
    """
    rows = km_table.filter(pl.col("group") == group).sort("time")
    t, n = rows["time"].to_list(), rows["n_risk"].to_list()
    return [next((n[i] for i in range(len(t)) if t[i] >= tick), 0) for tick in times]


def cumulative_event_counts(km_table: pl.DataFrame, group: str, times: Sequence[float]) -> list[int]:
    """Return the number of events up to and including each of `times`."""
    rows = km_table.filter(pl.col("group") == group)
    return [int(rows.filter(pl.col("time") <= tick)["n_event"].sum()) for tick in times]


def km_figure(
    km_table: pl.DataFrame,
    summary: pl.DataFrame | None = None,
    *,
    logrank: Mapping[str, float] | None = None,
    ax: Axes | None = None,
    risk_table: bool = True,
    cumulative_events: bool = False,
    ci: bool = False,
    censor_ticks: bool = True,
    median_lines: bool = True,
    time_unit: str = "months",
    palette: str = "color",
    xticks: Sequence[float] | None = None,
    xlabel: str | None = None,
    ylabel: str = "Survival probability",
    order: Sequence[str] | None = None,
    xmax: float | None = None,
    break_every: float | None = None,
    title: str | None = None,
    font_size: float | None = None,
    min_cell: int | None = None,
) -> Figure:
    """Draw Kaplan-Meier curves by group with a number-at-risk table aligned with the x ticks.

    Returns the Figure, because the composite has several Axes: ``fig.axes[0]`` holds the curves
    (label "km"), then "at-risk" and "events" tables when asked for, sharing its x axis. With `ax`,
    the curves go into `ax` and the tables into the lower part of `ax`'s grid cell.

    Parameters
    ----------
    km_table : pl.DataFrame
        group, time, n_risk, n_event, n_censor, surv, lower, upper; one row per time per group.
    summary : pl.DataFrame, optional
        group, n, events, median, median_lower, median_upper; gives n in the labels and median lines.
    logrank : mapping, optional
        chisq, df, p of the log-rank test; p is printed as journals do (not at all when untestable: NaN).
    ax : Axes, optional
        Axes to draw into; by default a new single-column figure.
    risk_table, cumulative_events : bool
        Show the number at risk / cumulative number of events at each x tick under the plot.
    ci : bool
        Shade the pointwise confidence band (lower, upper).
    censor_ticks : bool
        Mark censoring times with a vertical tick on the curve.
    median_lines : bool
        Dotted lines at S = 0.5 down to each reached median (needs `summary`).
    time_unit : str
        Unit of `time`, for the axis label and default breaks (12-month steps for months).
    palette : str
        "color" (Okabe-Ito, colour-blind safe) or "grey" (grey levels and dash patterns).
    xticks : sequence of float, optional
        The x ticks, which are also the times of the at-risk table.
    xlabel, ylabel : str, optional
        Axis labels; the x label defaults to "Time (<unit>)".
    order : sequence of str, optional
        The groups' order (legend, colours, table rows); by default prognostic (`group_order`).
    xmax : float, optional
        End of the x axis; by default the last time anyone is at risk (the axis never runs into an
        all-zero at-risk column).
    break_every : float, optional
        Tick step in `time_unit` (default: `time_breaks`' rule).
    title : str, optional
        Title above the figure.
    font_size : float, optional
        Text size in points (default 7-8 pt, the journal style).
    min_cell : int, optional
        Shareable figure (docs/disclosure.md): curves stop where fewer than `min_cell` remain at risk, counts
        from 1 to `min_cell - 1` show as `*`, as do all counts of a group whose size `summary` hides (None).

    Returns
    -------
    Figure
    """
    groups = list(order) if order is not None else group_order(km_table["group"].unique().to_list())
    styles = group_styles(groups, palette)
    n_by_group = _group_sizes(km_table, summary)
    counts = km_table
    if min_cell is not None:  # the curves stop where fewer than the threshold remain at risk
        km_table = km_table.filter(pl.col("n_risk") >= min_cell)
    t_max = float(km_table["time"].cast(pl.Float64).max() or 0.0)  # type: ignore[arg-type]
    t_end = t_max if xmax is None else float(xmax)
    ticks = list(xticks) if xticks is not None else time_breaks(t_end, time_unit, every=break_every)
    tables = [kind for kind, wanted in (("at-risk", risk_table), ("events", cumulative_events)) if wanted]
    with journal_style(font_size):
        fig, ax, table_axes = _km_axes(ax, len(tables), len(groups))
        for group in groups:
            _draw_group(ax, km_table.filter(pl.col("group") == group).sort("time"), group,
                        f"{group} (n={_size_text(n_by_group.get(group))})", styles[group], ci=ci,
                        censor_ticks=censor_ticks)
        if median_lines and summary is not None:
            _draw_medians(ax, summary)
        ax.set_xticks(ticks)
        ax.set_xlim(0, max(t_end, ticks[-1]) * 1.01 or 1.0)
        ax.set_ylim(0, 1.02)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_xlabel(xlabel or f"Time ({time_unit})")
        ax.set_ylabel(ylabel)
        # Above the plot, a legend can never hide a curve; curves fall from (0, 1), so the upper right is the
        # emptiest corner of a KM plot and holds the p value.
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(groups), 3), handlelength=2.2,
                  columnspacing=1.2, borderaxespad=0.2)
        if logrank is not None and logrank["p"] is not None and math.isfinite(logrank["p"]):
            ax.text(0.97, 0.97, f"Log-rank {format_p(logrank['p'])}", transform=ax.transAxes, ha="right",
                    va="top", gid="km:logrank", zorder=5,
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        for kind, tax in zip(tables, table_axes, strict=True):
            counter = at_risk_counts if kind == "at-risk" else cumulative_event_counts
            heading = "Number at risk" if kind == "at-risk" else "Cumulative events"
            shown = _shown_counts(counter, min_cell, [g for g in groups if n_by_group.get(g, 0) is None])
            _draw_count_table(tax, counts, groups, ticks, shown, heading, styles, label=kind,
                              palette=palette, font_size=font_size)
        if title:
            fig.suptitle(title, fontsize=(font_size or JOURNAL_RC["axes.titlesize"]) + 1)
    return fig


def _size_text(n: int | None) -> str:
    """A group's size in the legend: `*` where a shareable figure hides it."""
    return "*" if n is None else str(n)


def _shown_counts(counter: Callable, min_cell: int | None, hidden: Sequence[str]) -> Callable:
    """Wrap a count-table counter so that, with `min_cell`, small counts and hidden groups' counts show as `*`."""
    if min_cell is None:
        return counter

    def shown(km_table: pl.DataFrame, group: str, times: Sequence[float]) -> list[int | str]:
        values = counter(km_table, group, times)
        return ["*" if group in hidden or 0 < n < min_cell else n for n in values]

    return shown


def _group_sizes(km_table: pl.DataFrame, summary: pl.DataFrame | None) -> dict[str, int | None]:
    """n per group: from the summary when it has the group, else the number at risk at the first time."""
    first = km_table.sort("time").group_by("group", maintain_order=True).first()
    sizes: dict[str, int | None] = dict(zip(first["group"].to_list(), first["n_risk"].to_list(), strict=True))
    if summary is not None:
        sizes.update(zip(summary["group"].to_list(), summary["n"].to_list(), strict=True))
    return sizes


def _km_axes(ax: Axes | None, n_tables: int, n_groups: int) -> tuple[Figure, Axes, list[Axes]]:
    """Return the figure, the curve Axes and one Axes per count table below it, sharing x."""
    # Heights in mm: the curve panel, one count row per group, and room for labels, legend and titles.
    panel, table = 50.0, 1.0 + 3.4 * n_groups
    if ax is None:
        fig = new_figure("single", height_mm=panel + 22.0 + n_tables * (table + 6.0))
        ax = fig.add_subplot()
    fig = figure_of(ax)
    ax.set_label("km")
    if not n_tables:
        return fig, ax, []
    spec = ax.get_subplotspec()
    if spec is None:
        raise AnalysisError("km_figure needs an Axes from a grid (add_subplot or subplots) for the risk table")
    grid = spec.subgridspec(1 + n_tables, 1, height_ratios=[panel] + [table] * n_tables, hspace=0.05)
    ax.set_subplotspec(grid[0])
    return fig, ax, [fig.add_subplot(grid[i + 1], sharex=ax) for i in range(n_tables)]




def _step_data(rows: pl.DataFrame, column: str) -> tuple[list[float], list[float]]:
    """x and y of a step curve from (0, 1) through the table's rows (a drop at 0 when events are at 0)."""
    x, y = rows["time"].to_list(), rows[column].to_list()
    starts_at_one = bool(x) and x[0] == 0 and rows["surv"][0] == 1.0
    return (x, y) if starts_at_one else ([0.0, *x], [1.0, *y])


def _draw_group(ax: Axes, rows: pl.DataFrame, group: str, label: str, style: dict[str, Any], *,
                ci: bool, censor_ticks: bool) -> None:
    """Draw one group's step curve, and optionally its CI band and censoring ticks."""
    x, y = _step_data(rows, "surv")
    ax.plot(x, y, drawstyle="steps-post", label=label, gid=f"km:{group}", **style)
    if ci:
        _, lower = _step_data(rows, "lower")
        _, upper = _step_data(rows, "upper")
        ax.fill_between(x, [_nan(v) for v in lower], [_nan(v) for v in upper], step="post", alpha=0.15,
                        color=style["color"], linewidth=0, gid=f"ci:{group}")
    if censor_ticks:
        censored = rows.filter(pl.col("n_censor") > 0)
        ax.plot(censored["time"].to_list(), censored["surv"].to_list(), linestyle="none", marker="|",
                markersize=4, markeredgewidth=0.8, color=style["color"], gid=f"censor:{group}")


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def _draw_medians(ax: Axes, summary: pl.DataFrame) -> None:
    """Dotted line at S = 0.5 to the longest reached median, and down from each median to the axis."""
    medians = [m for m in summary["median"].to_list() if m is not None]
    if not medians:
        return
    line: dict[str, Any] = {"color": "0.5", "linestyle": ":", "linewidth": 0.7, "zorder": 0}
    ax.plot([0, max(medians)], [0.5, 0.5], gid="median:level", **line)
    for group, median in zip(summary["group"].to_list(), summary["median"].to_list(), strict=True):
        if median is not None:
            ax.plot([median, median], [0, 0.5], gid=f"median:{group}", **line)


def _draw_count_table(tax: Axes, km_table: pl.DataFrame, groups: list[str], ticks: list[float],
                      counter, title: str, styles: dict[str, dict[str, Any]], *, label: str,
                      palette: str, font_size: float | None = None) -> None:
    """Write counts per group (rows, first group on top) at each tick (columns) in a frameless Axes."""
    tax.set_label(label)
    for row, group in enumerate(groups):
        y = len(groups) - 1 - row
        for tick, count in zip(ticks, counter(km_table, group, ticks), strict=True):
            tax.text(tick, y, str(count), ha="center", va="center", gid=f"{label}:{group}")
    tax.set_ylim(-0.6, len(groups) - 0.4)
    tax.set_yticks(range(len(groups) - 1, -1, -1), groups)
    for tick_label, group in zip(tax.get_yticklabels(), groups, strict=True):
        tick_label.set_color(styles[group]["color"] if palette == "color" else "black")
    # The pad keeps the group names clear of the counts centred on the first tick.
    tax.tick_params(axis="y", length=0, pad=9 * (font_size or 7) / 7)
    tax.tick_params(axis="x", length=0, labelbottom=False)
    for spine in tax.spines.values():
        spine.set_visible(False)
    tax.set_title(title, loc="left", fontsize=font_size or 7, fontweight="bold", pad=2)
