"""The figures of a scheme validation: KM small multiples, a C-index dot plot and calibration plots.

Each function draws one `netpet.analysis.studies.validation.ValidationReport` figure and returns it, for
`netpet.analysis.outputs.validation_report` to save; the KM panels reuse `netpet.analysis.outputs.km_figure.km_figure`,
so every panel has
its number-at-risk table and all share one time axis. Tests assert on the plotted data, not pixels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from netpet.analysis.outputs.figures import OKABE_ITO, journal_style, new_figure
from netpet.analysis.outputs.km_figure import km_figure, time_breaks

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from netpet.analysis.studies.validation import ValidationReport

__all__ = ["calibration_figure", "concordance_figure", "km_panels_figure"]

#: Marker per scheme in the calibration plot, so schemes that coincide stay visible.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Height of one KM panel with its risk table, mm (the table grows with the number of levels).
_PANEL_MM = 62.0
_LEVEL_MM = 3.4


def km_panels_figure(report: ValidationReport, *, columns: int = 2, max_ticks: int = 7,
                     min_cell: int | None = None) -> Figure:
    """Draw one KM panel per scheme (curves by level, medians, number at risk) on one shared time axis.

    With `min_cell` (a shareable report) each panel hides what `km_figure` hides at that threshold.
    """
    names = report.schemes["scheme"].to_list()
    rows = max(1, math.ceil(len(names) / columns))
    levels = report.medians.group_by("scheme").len()["len"].max() or 1
    fig = new_figure("double", height_mm=rows * (_PANEL_MM + _LEVEL_MM * float(levels)))  # type: ignore[arg-type]
    t_max = float(report.curves["time"].max() or 0.0)  # type: ignore[arg-type]
    ticks = time_breaks(t_max, report.time_unit)
    while len(ticks) > max_ticks:
        step = 2 * (ticks[1] - ticks[0])
        ticks = [step * i for i in range(math.ceil(t_max / step) + 1)]
    grid = fig.add_gridspec(rows, columns)
    for i, name in enumerate(names):
        ax = fig.add_subplot(grid[i // columns, i % columns])
        table = report.curves.filter(pl.col("scheme") == name).drop("scheme")
        summary = report.medians.filter(pl.col("scheme") == name).drop("scheme").rename({"level": "group"})
        km_figure(table, summary, ax=ax, time_unit=report.time_unit, xticks=ticks,
                  ylabel=f"{name}\nsurvival probability", order=summary["group"].to_list(), min_cell=min_cell)
        ax.set_gid(f"panel:{name}")
    return fig


def concordance_figure(report: ValidationReport, *, ax: Axes | None = None) -> Axes:
    """Draw Harrell's C with its 95% CI per scheme (filled), and the optimism-corrected C (open) when known."""
    table = report.schemes
    if ax is None:
        ax = new_figure("single", height_mm=20.0 + 7.0 * table.height).add_subplot()
    names = table["scheme"].to_list()
    y = list(range(len(names)))[::-1]
    corrected = dict(zip(report.optimism["scheme"].to_list(), report.optimism["corrected_c"].to_list(),
                         strict=True))
    with journal_style():
        c = table["harrell_c"].to_list()
        ax.errorbar(c, y, xerr=[[v - lo for v, lo in zip(c, table["harrell_c_lower"], strict=True)],
                                [hi - v for v, hi in zip(c, table["harrell_c_upper"], strict=True)]],
                    fmt="o", color=OKABE_ITO[0], markersize=4, capsize=2, linewidth=0.8, gid="c:harrell",
                    label="Harrell's C (95% CI)")
        if corrected:
            ax.plot([corrected.get(n, math.nan) for n in names], y, linestyle="none", marker="o",
                    markerfacecolor="white", markeredgecolor=OKABE_ITO[2], markersize=4, gid="c:corrected",
                    label="optimism-corrected C")
        ax.axvline(0.5, color="0.6", linestyle=":", linewidth=0.7)
        ax.set_yticks(y, names)
        ax.set_xlabel(f"Concordance ({report.endpoint.upper()})")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, handlelength=1.5)
    return ax


def calibration_figure(report: ValidationReport) -> Figure:
    """Draw, per time, each level's mean Cox-predicted survival (x) against its KM estimate with 95% CI (y)."""
    times = sorted(set(report.calibration["time"].to_list())) or [math.nan]
    fig = new_figure("double", height_mm=70.0)
    names = report.schemes["scheme"].to_list()
    colours = {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(names)}
    markers = {name: _MARKERS[i % len(_MARKERS)] for i, name in enumerate(names)}
    axes = fig.subplots(1, len(times), squeeze=False)[0]
    with journal_style():
        for ax, t in zip(axes, times, strict=True):
            ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", linewidth=0.7)
            for name in names:
                rows = report.calibration.filter((pl.col("scheme") == name) & (pl.col("time") == t)
                                                 & pl.col("observed").is_not_null())  # null: hidden (shareable)
                if rows.height == 0:
                    continue
                observed = rows["observed"].to_list()
                low = [o - (lo if lo is not None else o) for o, lo in zip(observed, rows["observed_lower"],
                                                                          strict=True)]
                high = [(hi if hi is not None else o) - o for o, hi in zip(observed, rows["observed_upper"],
                                                                           strict=True)]
                ax.errorbar(rows["predicted"].to_list(), observed, yerr=[low, high], fmt=markers[name],
                            markersize=3, markerfacecolor="none", capsize=1.5, linewidth=0.7, color=colours[name],
                            label=name, gid=f"cal:{name}:{t:g}")
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.set_aspect("equal")
            ax.set_title(f"{t:g} {report.time_unit}")
            ax.set_xlabel("Predicted survival (Cox)")
        axes[0].set_ylabel("Observed survival (KM)")
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)))
    return fig
