"""Survival commands: `netpet km` (Kaplan–Meier curves by group, log-rank tests, survival at chosen times).

Each command opens the registry read-only, builds its frame with `netpet.analysis.studies.frames.survival_frame`, calls
one library function and renders the result; the numbers follow R's survival package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from netpet.analysis.vocabulary import CONF_TYPES, ENDPOINTS, GROUPINGS, ORDERED_GROUPINGS, ORIGINS, TIME_UNITS
from netpet.figure_options import figure_options, km_style
from netpet.options import (
    cohort_option,
    cohort_patients,
    db_option,
    disclosure_options,
    dumps,
    format_option,
    library_errors,
    min_cell_count,
    open_registry,
    render,
)

if TYPE_CHECKING:
    import polars as pl

    from netpet.analysis.studies.km_analysis import KMReport

#: Groupings offered by `netpet km --by`: every analysis grouping, or none (one curve).
KM_GROUPINGS = (*GROUPINGS, "none")


def parse_times(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[float, ...]:
    if not value:
        return ()
    try:
        return tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of times, e.g. 12,24,60") from None


@click.command()
@db_option
@cohort_option
@click.option("--by", type=click.Choice(KM_GROUPINGS), default="netpet_group", show_default=True,
              help="Group the curves by this patient attribute (none: one curve).")
@click.option("--endpoint", type=click.Choice(list(ENDPOINTS)), default="os", show_default=True,
              help="Overall survival, progression-free survival or time to progression.")
@click.option("--origin", type=click.Choice(ORIGINS), default="first-timepoint",
              show_default=True, help="Time zero; from diagnosis, patients enter the risk set at their first "
              "dual-PET timepoint (delayed entry).")
@click.option("--time-unit", type=click.Choice(list(TIME_UNITS)), default="months",
              show_default=True, help="Unit of times and medians (a month is 30.4375 days).")
@click.option("--conf-type", type=click.Choice(CONF_TYPES), default="log",
              show_default=True, help="Confidence interval type; log is R's default, so numbers match papers "
              "computed with R's survfit.")
@click.option("--at", "at", callback=parse_times, default=None, metavar="T1,T2,...",
              help="Also report survival at these times (in --time-unit), e.g. 12,24,60.")
@click.option("--landmark", type=click.FloatRange(min=0), default=None, metavar="T",
              help="Landmark analysis: patients event-free at T (in --time-unit), grouped by their latest "
              "NETPET group at or before T, survival from T.")
@click.option("--from-treatment", "treatment", default=None, metavar="TREATMENT",
              help="Time from the first course of TREATMENT (e.g. prrt_lu177_dotatate), grouped by the "
              "NETPET group at the last timepoint before it; OS or PFS.")
@format_option
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also draw the curves to FILE (.png, .pdf, .svg or .tiff), styled by the options below.")
@figure_options
@disclosure_options
def km(db: str | None, cohort: str | None, by: str, endpoint: str, origin: str, time_unit: str, conf_type: str,
       at: tuple[float, ...], landmark: float | None, treatment: str | None, fmt: str, plot: str | None,
       style_file: str | None, min_cell: int | None, shareable: bool, **figure: object) -> None:
    """Kaplan–Meier survival by group with log-rank, trend and pairwise tests, as R's survfit/survdiff.

    With --shareable (or --min-cell) counts from 1 to the threshold - 1, and those that would give them away,
    show as * (null in CSV and JSON), with the estimates of groups and times with fewer; CSV and JSON give the
    curves on the --at times (default: the figure's ticks) instead of a row per event time (docs/disclosure.md).
    """
    from netpet.analysis.studies.km_analysis import km_report
    from netpet.analysis.studies.selection import km_selection

    style = km_style(style_file, figure) if plot is not None else None
    with open_registry(db, read_only=True) as reg:
        data = km_selection(reg, by=by, endpoint=endpoint, origin=origin, time_unit=time_unit, landmark=landmark,
                            from_treatment=treatment, patients=cohort_patients(reg, cohort))
        threshold = min_cell_count(reg, min_cell) if shareable or min_cell is not None else None
    with library_errors():
        report = km_report(data, conf_type=conf_type, at=at, ordered=by in ORDERED_GROUPINGS)
    click.echo(_render_km(report, fmt, by, threshold, at))
    if plot is not None and style is not None:
        from netpet.analysis.outputs.figures import save_figure
        from netpet.analysis.outputs.km_style import styled_km_figure

        drawn = styled_km_figure(report, style, min_cell=threshold)
        click.echo(f"wrote {save_figure(drawn, plot, preset=style.preset)}", err=True)


def _render_km(report: KMReport, fmt: str, by: str, threshold: int | None, at: tuple[float, ...]) -> str:
    """The report as text, CSV (the curves) or JSON; shareable (`threshold`): curves on a grid of times."""
    if fmt == "table":
        return _km_text(report, by, threshold)
    if threshold is None:
        return dumps(report.to_dict()) if fmt == "json" else render(report.fit.table, "csv")
    from netpet.analysis.outputs.shareable import curve_grid, default_grid, km_payload

    times = list(at) or default_grid(report)
    if fmt == "json":
        return dumps(km_payload(report, threshold, times))
    return render(curve_grid(report, times, threshold), "csv")


def _test_line(name: str, result: tuple[float, int, float]) -> str:
    chisq, df, p = result
    return f"{name}: chisq = {chisq:.3f}, df = {df}, p = {p:.4g}"


def _median_rows(report: KMReport, level: int, threshold: int | None = None) -> pl.DataFrame:
    """Per-group summary for people: median with its CI, NR where the curve does not reach 0.5.

    With a threshold, n and events are suppressed as every shareable output suppresses them
    (`netpet.analysis.outputs.shareable.group_counts`), and a group smaller than it shows no estimate either.
    """
    import polars as pl

    def text(value: float | None) -> str:
        return "NR" if value is None else f"{value:.2f}"

    summary = report.fit.summary
    if threshold is not None:
        from netpet.analysis.outputs.shareable import group_counts

        summary = group_counts(summary, threshold)
    rows = []
    for r in summary.to_dicts():
        row = {"group": r["group"], "n": _count(r["n"]), "events": _count(r["events"]), "median": text(r["median"]),
               f"{level}% CI": f"{text(r['median_lower'])} to {text(r['median_upper'])}"}
        if r.get("suppressed"):  # an estimate over fewer than the threshold would tell of each
            row.update({"median": "*", f"{level}% CI": "*"})
        rows.append(row)
    return pl.DataFrame(rows)


def _count(n: int | None) -> str | int:
    """A count of the summary: `*` where suppressed (None)."""
    return "*" if n is None else n


def _small(n: int, threshold: int) -> str:
    """A count as text: `*` where the suppression engine's primary rule hides it."""
    from netpet.registry.suppression import HIDDEN, is_small

    return HIDDEN if is_small(n, threshold) else str(n)


def _km_text(report: KMReport, by: str, threshold: int | None = None) -> str:
    import polars as pl

    level = round(report.fit.conf_level * 100)
    lines = [
        f"{report.endpoint.upper()} by {by}, time from {report.origin} in {report.time_unit}; "
        f"{level}% CI of type {report.fit.conf_type} (R's survfit)",
        render(_median_rows(report, level, threshold), "table"),
        _test_line("Log-rank (Cox score test, Breslow ties: delayed entry)" if report.delayed_entry
                   else "Log-rank (survdiff)", report.logrank),
    ]
    if report.trend is not None:
        lines.append(_test_line("Test for trend (Cox score, Breslow)", report.trend))
    if report.pairwise is not None:
        from netpet.analysis.outputs.shareable import pairwise_shown

        pairwise = report.pairwise if threshold is None else pairwise_shown(report, threshold)
        lines += ["Pairwise log-rank, Holm-adjusted:", render(pairwise, "table")]  # type: ignore[arg-type]
    if report.at is not None:
        at = report.at.select("group", "time", "n_risk", "n_event", pl.col("surv", "lower", "upper").round(3))
        if threshold is not None:  # a survival estimate over fewer than the threshold gives their events away
            few = pl.col("n_risk") < threshold
            at = at.with_columns(
                *(pl.when(few).then(None).otherwise(pl.col(c)).alias(c) for c in ("surv", "lower", "upper")),
                *(pl.when(few).then(pl.lit("*")).otherwise(
                    pl.col(c).map_elements(lambda n: _small(n, threshold), return_dtype=pl.String)).alias(c)
                  for c in ("n_risk", "n_event")),
            )
        lines += [f"Survival at chosen times ({report.time_unit}; none past a group's follow-up):",
                  render(at, "table")]
    shown = (lambda n: _small(n, threshold)) if threshold is not None else str
    excluded = ", ".join(f"{reason}: {shown(n)}" for reason, n in report.excluded.items()) or "none"
    lines.append(f"Excluded patients: {excluded}")
    lines.append("NR: not reached (the curve or its confidence band stays above 0.5).")
    return "\n".join(lines)
