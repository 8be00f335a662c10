"""How a Kaplan-Meier figure looks: the options `netpet km --plot` and `netpet report` share, and a lab's
house style kept in a YAML file with the same keys.

survminer's `ggsurvplot` is the anchor: censor marks, median lines, a number-at-risk table and optionally
a cumulative-events table, the log-rank p in the plot; the y label names the endpoint; the x axis ends where
the last group still has patients at risk.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from netpet.analysis.studies.km_analysis import KMReport

#: The y label of each endpoint: what the curve is the probability of.
ENDPOINT_LABELS: dict[str, str] = {
    "os": "Overall survival",
    "pfs": "Progression-free survival",
    "ttp": "Freedom from progression",
}
#: Palettes offered on the command line -> `netpet.analysis.outputs.figures.group_styles` palette.
PALETTES: dict[str, str] = {"okabe-ito": "color", "grey": "grey"}


@dataclass(frozen=True)
class KMStyle:
    """The look of a KM figure; every field is also a key of a `--style` YAML file."""

    ci: bool = False
    risk_table: bool = True
    cumulative_events: bool = False
    xmax: float | None = None
    break_every: float | None = None
    ylabel: str | None = None
    title: str | None = None
    palette: str = "okabe-ito"
    font_size: float | None = None
    preset: str = "single"

    def __post_init__(self) -> None:
        if self.palette not in PALETTES:
            raise ValueError(f"unknown palette {self.palette!r}: use one of {', '.join(PALETTES)}")
        for name in ("xmax", "break_every", "font_size"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
                raise ValueError(f"{name} must be a positive number, not {value!r}")


def load_style(path: str | Path) -> KMStyle:
    """Read a house style from YAML (keys as `KMStyle`'s fields, dashes or underscores); unknown keys are errors."""
    import yaml

    text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a style file holds key: value lines, e.g. 'palette: grey'")
    known = {f.name for f in fields(KMStyle)}
    values = {str(key).replace("-", "_"): value for key, value in data.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{path}: unknown style key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    try:
        return KMStyle(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def merge_style(base: KMStyle, overrides: dict[str, Any]) -> KMStyle:
    """Return `base` with the options given on the command line (those not None) put over it."""
    return replace(base, **{key: value for key, value in overrides.items() if value is not None})


def styled_km_figure(report: KMReport, style: KMStyle = KMStyle(), *, min_cell: int | None = None) -> Figure:
    """Draw `report`'s curves, medians, log-rank p and count tables in `style` (shareable with `min_cell`)."""
    from netpet.analysis.outputs.km_figure import km_figure

    summary = report.fit.summary
    if min_cell is not None:
        from netpet.analysis.outputs.shareable import group_counts

        summary = group_counts(summary, min_cell)
    return km_figure(
        report.fit.table, summary, min_cell=min_cell, logrank=report.logrank._asdict(), time_unit=report.time_unit,
        ci=style.ci, risk_table=style.risk_table, cumulative_events=style.cumulative_events,
        palette=PALETTES[style.palette], xmax=style.xmax, break_every=style.break_every,
        ylabel=style.ylabel or ENDPOINT_LABELS.get(report.endpoint, "Survival probability"), title=style.title,
        font_size=style.font_size,
    )
