"""Publication figures: Kaplan-Meier curves with a number-at-risk table, forest plots, cohort flow.

This module owns drawing and saving; the numbers come as tidy tables from `netpet.analysis.survival.km` (KM table,
summary, log-rank), `netpet.analysis.survival.cox` (coefficients) and the cohort attrition table, and are plotted as
given, so a figure can be checked against its table. Figures are built on `matplotlib.figure.Figure`
without pyplot: no global state, nothing shown, no open-figure limit. Journal style: sans-serif 7-8 pt,
single (85 mm) or double (174 mm) column widths, the narrowest widths of the common journal ranges.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from netpet.analysis.outputs.tables import LABELS, format_p, term_rows

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["cohort_flow", "forest_plot", "format_p", "journal_style", "km_figure", "save_figure"]

MM_PER_INCH = 25.4
#: Column widths in mm: the narrowest of the usual ranges (85-89 and 174-183 mm), so they fit every journal.
PRESETS: dict[str, float] = {"single": 85.0, "double": 174.0}

#: rcParams for journal figures: sans-serif (Arial, or its metric twin Liberation Sans), 7-8 pt, thin lines.
JOURNAL_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"],
    "font.size": 7,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.1,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    # Type 42 keeps text as editable TrueType text in the PDF, which journals' production tools require.
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    # SVG cannot embed fonts: text as paths looks identical on any machine without Arial installed;
    # the PDF is the editable-text version.
    "svg.fonttype": "path",
    "svg.hashsalt": "netpet",
}

#: Okabe-Ito colours (colour-blind safe), ordered so that P1 -> P2-4 -> P5 reads good -> bad (blue -> red).
OKABE_ITO = ("#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#000000")
GROUP_COLOURS: dict[str, str] = {
    "P1": "#0072B2", "P2-4": "#E69F00", "P5": "#D55E00",
    "P0": "#999999", "P2": "#56B4E9", "P3": "#009E73", "P4": "#E69F00",
}
#: Greyscale-safe styles: darker and more solid for better prognosis, told apart by dash pattern too.
GREY_STYLES = (("0.0", "-"), ("0.35", "--"), ("0.5", ":"), ("0.2", "-."),
               ("0.45", (0, (5, 1, 1, 1, 1, 1))), ("0.6", (0, (2, 2))))
GROUP_ORDER = ("P0", "P1", "P2-4", "P2", "P3", "P4", "P5")
#: Characters per line in cohort-flow boxes, so that two columns of boxes fit a single-column width.
FLOW_WRAP = 28


def journal_style():
    """Return a context manager applying `JOURNAL_RC`; fonts are fixed when artists are created."""
    import matplotlib as mpl

    return mpl.rc_context(JOURNAL_RC)  # type: ignore[arg-type]  # the stubs list keys as literals


def new_figure(preset: str = "single", height_mm: float = 75.0) -> Figure:
    """Return an empty constrained-layout figure of the journal `preset` width and `height_mm` height."""
    from matplotlib.figure import Figure

    width = _preset_width(preset)
    with journal_style():
        return Figure(figsize=(width / MM_PER_INCH, height_mm / MM_PER_INCH), layout="constrained")


def _preset_width(preset: str) -> float:
    if preset not in PRESETS:
        raise ValueError(f"unknown figure preset {preset!r}: use one of {', '.join(PRESETS)}")
    return PRESETS[preset]


def group_order(groups: Sequence[str]) -> list[str]:
    """Return the distinct groups in prognostic order (P0, P1, P2-4, ..., P5), others alphabetical after."""
    present = set(groups)
    known = [g for g in GROUP_ORDER if g in present]
    return known + sorted(present - set(known))


def group_styles(groups: Sequence[str], palette: str = "color") -> dict[str, dict[str, Any]]:
    """Return line colour and style per group for `palette` "color" (Okabe-Ito) or "grey"."""
    if palette not in ("color", "grey"):
        raise ValueError(f"unknown palette {palette!r}: use 'color' or 'grey'")
    styles = {}
    spare = iter(c for c in OKABE_ITO if c not in {GROUP_COLOURS[g] for g in groups if g in GROUP_COLOURS})
    for i, group in enumerate(groups):
        if palette == "grey":
            colour, dash = GREY_STYLES[i % len(GREY_STYLES)]
        else:
            colour, dash = GROUP_COLOURS.get(group) or next(spare, "#000000"), "-"
        styles[group] = {"color": colour, "linestyle": dash}
    return styles


def time_breaks(t_max: float, time_unit: str = "months") -> list[float]:
    """Return x-axis ticks from 0 past `t_max`: 12-month steps (6 or 3 on short follow-up), whole years."""
    steps = {"months": (12, 6, 3), "years": (1, 0.5), "weeks": (52, 26, 4), "days": (365, 180, 30)}
    options = steps.get(time_unit, (1,))
    step = next((s for s in options if t_max >= 3 * s), options[-1])
    n = int(t_max // step) + (t_max % step > 0)
    return [step * i for i in range(max(n, 1) + 1)]


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
        chisq, df, p of the log-rank test; p is printed as journals do.
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

    Returns
    -------
    Figure
    """
    groups = group_order(km_table["group"].unique().to_list())
    styles = group_styles(groups, palette)
    n_by_group = _group_sizes(km_table, summary)
    t_max = float(km_table["time"].cast(pl.Float64).max() or 0.0)  # type: ignore[arg-type]
    ticks = list(xticks) if xticks is not None else time_breaks(t_max, time_unit)
    tables = [kind for kind, wanted in (("at-risk", risk_table), ("events", cumulative_events)) if wanted]
    with journal_style():
        fig, ax, table_axes = _km_axes(ax, len(tables), len(groups))
        for group in groups:
            _draw_group(ax, km_table.filter(pl.col("group") == group).sort("time"), group,
                        f"{group} (n={n_by_group[group]})", styles[group], ci=ci, censor_ticks=censor_ticks)
        if median_lines and summary is not None:
            _draw_medians(ax, summary)
        ax.set_xticks(ticks)
        ax.set_xlim(ticks[0], ticks[-1] * 1.01 if len(ticks) > 1 else t_max)
        ax.set_ylim(0, 1.02)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_xlabel(xlabel or f"Time ({time_unit})")
        ax.set_ylabel(ylabel)
        # Above the plot, a legend can never hide a curve; curves fall from (0, 1), so the upper right is the
        # emptiest corner of a KM plot and holds the p value.
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(groups), 3), handlelength=2.2,
                  columnspacing=1.2, borderaxespad=0.2)
        if logrank is not None:
            ax.text(0.97, 0.97, f"Log-rank {format_p(logrank['p'])}", transform=ax.transAxes, ha="right",
                    va="top", gid="km:logrank", zorder=5,
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        for kind, tax in zip(tables, table_axes, strict=True):
            counter = at_risk_counts if kind == "at-risk" else cumulative_event_counts
            title = "Number at risk" if kind == "at-risk" else "Cumulative events"
            _draw_count_table(tax, km_table, groups, ticks, counter, title, styles, label=kind,
                              palette=palette)
    return fig


def _group_sizes(km_table: pl.DataFrame, summary: pl.DataFrame | None) -> dict[str, int]:
    """n per group: from the summary when it has the group, else the number at risk at the first time."""
    first = km_table.sort("time").group_by("group", maintain_order=True).first()
    sizes = dict(zip(first["group"].to_list(), first["n_risk"].to_list(), strict=True))
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
    fig = _figure_of(ax)
    ax.set_label("km")
    if not n_tables:
        return fig, ax, []
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("km_figure needs an Axes from a grid (add_subplot or subplots) for the risk table")
    grid = spec.subgridspec(1 + n_tables, 1, height_ratios=[panel] + [table] * n_tables, hspace=0.05)
    ax.set_subplotspec(grid[0])
    return fig, ax, [fig.add_subplot(grid[i + 1], sharex=ax) for i in range(n_tables)]


def _figure_of(ax: Axes) -> Figure:
    """The top-level figure an Axes belongs to."""
    fig = ax.get_figure(root=True)
    if fig is None:
        raise ValueError("the Axes is not part of a figure")
    return fig


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
                      palette: str) -> None:
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
    tax.tick_params(axis="y", length=0, pad=9)
    tax.tick_params(axis="x", length=0, labelbottom=False)
    for spine in tax.spines.values():
        spine.set_visible(False)
    tax.set_title(title, loc="left", fontsize=7, fontweight="bold", pad=2)


def forest_plot(
    coef_table: pl.DataFrame,
    *,
    reference: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Draw hazard ratios with 95% CIs on a log axis, with HR (95% CI) and p in text columns beside.

    Each factor has a header row and its levels beneath, its reference level written "reference".

    Parameters
    ----------
    coef_table : pl.DataFrame
        term, hr, hr_lower, hr_upper and p per term (``variable=level`` for factor levels).
    reference : mapping, optional
        Reference level per factor, e.g. ``{"netpet_group": "P1"}``.
    ax : Axes, optional
        Axes to draw into; by default a new double-column figure sized to the rows.
    labels : mapping, optional
        Display names for variables, over `netpet.analysis.outputs.tables.LABELS`.

    Returns
    -------
    Axes
    """
    names = {**LABELS, **(labels or {})}
    rows = _forest_rows(coef_table, reference, names)
    with journal_style():
        if ax is None:
            ax = new_figure("double", height_mm=18.0 + 5.0 * len(rows)).add_subplot()
        points = [(y, coef) for y, (_, coef, _) in enumerate(rows) if coef is not None]
        ys = [y for y, _ in points]
        hr = [c["hr"] for _, c in points]
        ax.hlines(ys, [c["hr_lower"] for _, c in points], [c["hr_upper"] for _, c in points],
                  color="black", linewidth=0.8, gid="forest:ci")
        ax.plot(hr, ys, linestyle="none", marker="s", markersize=4, color="black", gid="forest:hr")
        ax.axvline(1.0, color="0.5", linewidth=0.6, linestyle="--", zorder=0)
        ax.set_xscale("log")
        _forest_limits(ax, points)
        ax.set_ylim(len(rows) - 0.5, -1.5)
        ax.set_yticks(range(len(rows)), [text for text, _, _ in rows])
        for tick_label, (_, _, header) in zip(ax.get_yticklabels(), rows, strict=True):
            tick_label.set_fontweight("bold" if header else "normal")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("Hazard ratio (95% CI)")
        _forest_text(ax, rows)
    return ax


def _forest_rows(coef_table: pl.DataFrame, reference: Mapping[str, str] | None,
                 names: Mapping[str, str]) -> list[tuple[str, dict | None, bool]]:
    """(label, coefficient row or None, is header) per plotted row, top to bottom."""
    rows: list[tuple[str, dict | None, bool]] = []
    headed: set[str] = set()
    for variable, level, coef in term_rows(coef_table, reference):
        if level is None:
            rows.append((names.get(variable, variable), coef, False))
            continue
        if variable not in headed:
            headed.add(variable)
            rows.append((names.get(variable, variable), None, True))
        rows.append((f"   {level}", coef, False))
    return rows


def _forest_limits(ax: Axes, points: list[tuple[int, dict]]) -> None:
    """Symmetric-ish log limits covering every CI and 1, with ticks at readable ratios."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    low = min([1.0, *[c["hr_lower"] for _, c in points]])
    high = max([1.0, *[c["hr_upper"] for _, c in points]])
    candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50, 100]
    lo = max([c for c in candidates if c <= low * 0.95] or [candidates[0]])
    hi = min([c for c in candidates if c >= high * 1.05] or [candidates[-1]])
    ax.set_xlim(lo, hi)
    ticks = [c for c in candidates if lo < c < hi and c not in (0.02, 0.25, 5, 20)]
    ticks = [lo, *ticks, hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticklabels([f"{t:g}" for t in ticks])


def _forest_text(ax: Axes, rows: list[tuple[str, dict | None, bool]]) -> None:
    """The HR (95% CI) and p columns to the right of the plot, one line per row, headed."""
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory

    texts: list[tuple[str, str] | None] = []
    for _, coef, header in rows:
        if header:
            texts.append(None)
        elif coef is None:
            texts.append(("reference", ""))
        else:
            texts.append((f"{coef['hr']:.2f} ({coef['hr_lower']:.2f}–{coef['hr_upper']:.2f})",
                          format_p(coef["p"], prefix=False)))
    # Columns sit at fixed distances (points) from the plot's right edge, so the layout engine can make room.
    widest = max([len(t[0]) for t in texts if t] + [len("HR (95% CI)")])
    offsets = (10.0, 10.0 + 4.2 * widest + 8.0)
    titles, gids = ("HR (95% CI)", "p"), ("forest:hr_text", "forest:p_text")
    for i, (offset, title, gid) in enumerate(zip(offsets, titles, gids, strict=True)):
        shift = ScaledTranslation(offset / 72, 0, _figure_of(ax).dpi_scale_trans)
        where = blended_transform_factory(ax.transAxes + shift, ax.transData)
        ax.text(1, -1, title, transform=where, ha="left", va="center", fontweight="bold", gid="forest:header")
        for y, text in enumerate(texts):
            if text is not None:
                ax.text(1, y, text[i], transform=where, ha="left", va="center", gid=gid)


def cohort_flow(attrition: pl.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Draw a CONSORT-style flow: one box per step with its count, exclusions by reason to the side.

    Parameters
    ----------
    attrition : pl.DataFrame
        step, label, remaining, excluded, reason; several rows of one step list its exclusion reasons.
    ax : Axes, optional
        Axes to draw into; by default a new single-column figure sized to the steps.

    Returns
    -------
    Axes
        With the axis hidden; box texts have gid "flow:step" and "flow:excluded".
    """
    steps = attrition.sort("step", maintain_order=True).group_by("step", maintain_order=True).agg(
        pl.col("label").first(), pl.col("remaining").first(), pl.col("excluded"), pl.col("reason"))
    with journal_style():
        if ax is None:
            ax = new_figure("single", height_mm=6.0 + 18.0 * steps.height).add_subplot()
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(steps.height - 0.5, -0.5)
        box = {"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": "black", "linewidth": 0.6}
        # Text extents exclude the box padding (0.5 em), so arrows are shortened by it to meet the box edges.
        edge = 0.5 * JOURNAL_RC["font.size"]
        arrow = {"arrowstyle": "-|>", "color": "black", "linewidth": 0.6, "shrinkA": edge, "shrinkB": edge}
        previous = None
        for y, step in enumerate(steps.iter_rows(named=True)):
            label = "\n".join(textwrap.wrap(step["label"], FLOW_WRAP))
            text = ax.text(0.25, y, f"{label}\nn = {step['remaining']:,}", ha="center", va="center",
                           bbox=box, gid="flow:step")
            if previous is not None:
                ax.annotate("", xy=(0.5, 1.0), xycoords=text, xytext=(0.5, 0.0), textcoords=previous,
                            arrowprops=arrow)
                _draw_exclusions(ax, y - 0.5, step, box, arrow)
            previous = text
    return ax


def _draw_exclusions(ax: Axes, y: float, step: dict[str, Any], box: dict, arrow: dict) -> None:
    """The side box of patients left out before `step`, by reason, with its arrow from the main line."""
    pairs = [(n, r) for n, r in zip(step["excluded"], step["reason"], strict=True) if n]
    if not pairs:
        return
    total = sum(n for n, _ in pairs)
    lines = [f"Excluded (n = {total:,})"]
    for n, reason in pairs:
        # No-break spaces keep "(n = 12)" on one line.
        lines += textwrap.wrap(f"{reason or 'other'} (n\u00a0=\u00a0{n:,})", FLOW_WRAP, initial_indent="  ",
                               subsequent_indent="    ")
    side = ax.text(0.53, y, "\n".join(lines), ha="left", va="center", bbox=box, gid="flow:excluded")
    ax.annotate("", xy=(0.0, 0.5), xycoords=side, xytext=(0.25, y), textcoords="data",
                arrowprops={**arrow, "shrinkA": 0})


def save_figure(
    fig: Figure, path: str | Path, *, preset: str = "single", dpi: int = 300, height_mm: float | None = None
) -> Path:
    """Save `fig` at a journal column width as PDF, SVG, PNG or TIFF (by extension), byte-reproducibly.

    The width is set to the preset and the layout redone; the height is kept (or set to `height_mm`),
    because fonts and the rows of a risk table keep their point sizes whatever the width. PDF embeds
    TrueType fonts (Type 42) and carries no creation date; SVG draws text as paths with a fixed hash
    salt; PNG carries no Software stamp; TIFF is LZW-compressed. Saving the same figure twice, or the
    same input drawn twice, gives the same bytes. The figure keeps the new size.

    Parameters
    ----------
    fig : Figure
        The figure (for an Axes, pass ``ax.figure``).
    path : str or Path
        Ends in .pdf, .svg, .png, .tif or .tiff.
    preset : str
        "single" (85 mm) or "double" (174 mm) column width.
    dpi : int
        Resolution of PNG and TIFF: 300 for halftones, 600 for line art and combinations.
    height_mm : float, optional
        New height; by default the figure's own.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    options: dict[str, dict[str, Any]] = {
        ".pdf": {"metadata": {"CreationDate": None, "ModDate": None}},
        ".svg": {"metadata": {"Date": None}},
        ".png": {"metadata": {"Software": None}, "dpi": dpi},
        ".tif": {"pil_kwargs": {"compression": "tiff_lzw"}, "dpi": dpi},
        ".tiff": {"pil_kwargs": {"compression": "tiff_lzw"}, "dpi": dpi},
    }
    if suffix not in options:
        raise ValueError(f"cannot save a figure as {suffix or 'a file without extension'}: "
                         "use .pdf, .svg, .png, .tif or .tiff")
    height = fig.get_size_inches()[1] if height_mm is None else height_mm / MM_PER_INCH
    fig.set_size_inches(_preset_width(preset) / MM_PER_INCH, height)
    with journal_style():
        fig.savefig(path, format="tiff" if suffix == ".tif" else suffix[1:], facecolor="white",
                    **options[suffix])
    return path
