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

from netpet.analysis.errors import AnalysisError
from netpet.analysis.outputs.tables import LABELS, PER_UNIT, format_p, term_rows
from netpet.analysis.studies.cox_warnings import NOT_ESTIMABLE, estimable_row

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["cohort_flow", "forest_plot", "format_p", "journal_style", "save_figure"]

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


def journal_style(font_size: float | None = None):
    """Return a context manager applying `JOURNAL_RC` (text at `font_size` pt when given); fonts are fixed when
    artists are created."""
    import matplotlib as mpl

    rc = dict(JOURNAL_RC)
    if font_size is not None:
        sizes = ("font.size", "xtick.labelsize", "ytick.labelsize", "legend.fontsize", "legend.title_fontsize")
        rc.update(dict.fromkeys(sizes, font_size) | {"axes.titlesize": font_size + 1, "axes.labelsize": font_size})
    return mpl.rc_context(rc)  # type: ignore[arg-type]  # the stubs list keys as literals


def new_figure(preset: str = "single", height_mm: float = 75.0) -> Figure:
    """Return an empty constrained-layout figure of the journal `preset` width and `height_mm` height."""
    from matplotlib.figure import Figure

    width = _preset_width(preset)
    with journal_style():
        return Figure(figsize=(width / MM_PER_INCH, height_mm / MM_PER_INCH), layout="constrained")


def _preset_width(preset: str) -> float:
    if preset not in PRESETS:
        raise AnalysisError(f"unknown figure preset {preset!r}: use one of {', '.join(PRESETS)}")
    return PRESETS[preset]


def group_order(groups: Sequence[str]) -> list[str]:
    """Return the distinct groups in prognostic order (P0, P1, P2-4, ..., P5), others alphabetical after."""
    present = set(groups)
    known = [g for g in GROUP_ORDER if g in present]
    return known + sorted(present - set(known))


def group_styles(groups: Sequence[str], palette: str = "color") -> dict[str, dict[str, Any]]:
    """Return line colour and style per group for `palette` "color" (Okabe-Ito) or "grey"."""
    if palette not in ("color", "grey"):
        raise AnalysisError(f"unknown palette {palette!r}: use 'color' or 'grey'")
    styles = {}
    spare = iter(c for c in OKABE_ITO if c not in {GROUP_COLOURS[g] for g in groups if g in GROUP_COLOURS})
    for i, group in enumerate(groups):
        if palette == "grey":
            colour, dash = GREY_STYLES[i % len(GREY_STYLES)]
        else:
            colour, dash = GROUP_COLOURS.get(group) or next(spare, "#000000"), "-"
        styles[group] = {"color": colour, "linestyle": dash}
    return styles


def forest_plot(
    coef_table: pl.DataFrame,
    *,
    reference: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Draw hazard ratios with 95% CIs on a log axis, with HR (95% CI) and p in text columns beside.

    Each factor has a header row and its levels beneath, its reference level written "reference", and an
    estimate that is not estimable (`netpet.analysis.studies.cox_warnings.estimable_row`) written so, without a marker.

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
        points = [(y, coef) for y, (_, coef, _) in enumerate(rows) if coef is not None and estimable_row(coef)]
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
            per = PER_UNIT.get(variable)
            rows.append((f"{names.get(variable, variable)}{f', {per}' if per else ''}", coef, False))
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
        elif not estimable_row(coef):
            texts.append((NOT_ESTIMABLE, ""))
        else:
            texts.append((f"{coef['hr']:.2f} ({coef['hr_lower']:.2f}–{coef['hr_upper']:.2f})",
                          format_p(coef["p"], prefix=False)))
    # Columns sit at fixed distances (points) from the plot's right edge, so the layout engine can make room.
    widest = max([len(t[0]) for t in texts if t] + [len("HR (95% CI)")])
    offsets = (10.0, 10.0 + 4.2 * widest + 8.0)
    titles, gids = ("HR (95% CI)", "p"), ("forest:hr_text", "forest:p_text")
    for i, (offset, title, gid) in enumerate(zip(offsets, titles, gids, strict=True)):
        shift = ScaledTranslation(offset / 72, 0, figure_of(ax).dpi_scale_trans)
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
            text = ax.text(0.25, y, f"{label}\nn = {_count_text(step['remaining'])}", ha="center", va="center",
                           bbox=box, gid="flow:step")
            if previous is not None:
                ax.annotate("", xy=(0.5, 1.0), xycoords=text, xytext=(0.5, 0.0), textcoords=previous,
                            arrowprops=arrow)
                _draw_exclusions(ax, y - 0.5, step, box, arrow)
            previous = text
    return ax


def _count_text(n: int | str) -> str:
    """A flow count with thousands separators; a shareable flow's counts are text (`*` where hidden)."""
    return n if isinstance(n, str) and not n.isdigit() else f"{int(n):,}"


def _draw_exclusions(ax: Axes, y: float, step: dict[str, Any], box: dict, arrow: dict) -> None:
    """The side box of patients left out before `step`, by reason, with its arrow from the main line."""
    pairs = [(n, r) for n, r in zip(step["excluded"], step["reason"], strict=True) if n not in (0, "0")]
    if not pairs:
        return
    hidden = any(isinstance(n, str) and not n.isdigit() for n, _ in pairs)  # a shareable flow's `*`
    total = "*" if hidden else sum(int(n) for n, _ in pairs)
    lines = [f"Excluded (n = {_count_text(total)})"]
    if len(pairs) == 1:  # one reason: its count is the total, stated once
        pairs = [(0, pairs[0][1])]
    for n, reason in pairs:
        # No-break spaces keep "(n = 12)" on one line.
        count = f" (n\u00a0=\u00a0{_count_text(n)})" if n else ""
        lines += textwrap.wrap(f"{reason or 'other'}{count}", FLOW_WRAP, initial_indent="  ",
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
        raise AnalysisError(f"cannot save a figure as {suffix or 'a file without extension'}: "
                         "use .pdf, .svg, .png, .tif or .tiff")
    height = fig.get_size_inches()[1] if height_mm is None else height_mm / MM_PER_INCH
    fig.set_size_inches(_preset_width(preset) / MM_PER_INCH, height)
    with journal_style():
        fig.savefig(path, format="tiff" if suffix == ".tif" else suffix[1:], facecolor="white",
                    **options[suffix])
    return path


def figure_of(ax: Axes) -> Figure:
    """The top-level figure an Axes belongs to."""
    fig = ax.get_figure(root=True)
    if fig is None:
        raise AnalysisError("the Axes is not part of a figure")
    return fig
