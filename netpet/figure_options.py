"""The KM figure options `netpet km --plot` and `netpet report` share, and the `--style` file behind them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from netpet.analysis.outputs.km_style import KMStyle

F = TypeVar("F", bound=Callable[..., Any])

#: The options, outermost first; each maps to the `netpet.analysis.outputs.km_style.KMStyle` field of the same name.
_OPTIONS = (
    click.option("--style", "style_file", type=click.Path(exists=True, dir_okay=False), default=None,
                 help="YAML house style holding any of the figure options below (e.g. 'palette: grey'); "
                 "options given on the command line win."),
    click.option("--ci/--no-ci", "ci", default=None, help="Shade the pointwise confidence bands [default: no]."),
    click.option("--risk-table/--no-risk-table", "risk_table", default=None,
                 help="Number-at-risk table under the curves [default: yes]."),
    click.option("--cumulative-events/--no-cumulative-events", "cumulative_events", default=None,
                 help="Cumulative number of events table under the curves [default: no]."),
    click.option("--xmax", type=click.FloatRange(min=0, min_open=True), default=None, metavar="T",
                 help="End of the time axis (in --time-unit) [default: the last time anyone is at risk]."),
    click.option("--break-every", type=click.FloatRange(min=0, min_open=True), default=None, metavar="STEP",
                 help="Time-axis tick and at-risk step (in --time-unit) [default: 12 months, wider for long "
                 "follow-up, at most 9 ticks]."),
    click.option("--ylabel", default=None, help="y-axis label [default: the endpoint, e.g. 'Overall survival']."),
    click.option("--title", default=None, help="Figure title [default: none]."),
    click.option("--palette", type=click.Choice(["okabe-ito", "grey"]), default=None,
                 help="okabe-ito: colour-blind safe colours; grey: grey levels and dash patterns "
                 "[default: okabe-ito]."),
    click.option("--font-size", type=click.FloatRange(min=4, max=24), default=None, metavar="PT",
                 help="Text size in points [default: 7-8 pt, the journal style]."),
)
#: The figure options' parameter names, besides --style.
STYLE_KEYS = ("ci", "risk_table", "cumulative_events", "xmax", "break_every", "ylabel", "title", "palette",
              "font_size")


def figure_options(func: F) -> F:
    """Add the KM figure options (and `--style FILE`) to a command."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def km_style(style_file: str | None, options: dict[str, Any], **extra: Any) -> KMStyle:
    """Return the style of the house style file (if any) with the command line's options put over it."""
    from netpet.analysis.outputs.km_style import KMStyle, load_style, merge_style

    try:
        base = load_style(style_file) if style_file else KMStyle()
        return merge_style(base, {**{key: options.get(key) for key in STYLE_KEYS}, **extra})
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
