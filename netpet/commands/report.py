"""`netpet report`: the whole survival report of the registry or a saved cohort, written to one folder."""

from __future__ import annotations

import click

from netpet.analysis.vocabulary import CONF_TYPES, ENDPOINTS, FIGURE_PRESETS, GROUPINGS, ORIGINS, TIME_UNITS
from netpet.commands.survival import parse_times
from netpet.figure_options import figure_options, km_style
from netpet.options import (
    cohort_option,
    db_option,
    disclosure_options,
    min_cell_count,
    open_registry,
    progress_bar,
    protect_outputs,
)


def _split(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@click.command()
@db_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the report.")
@cohort_option
@click.option("--endpoint", type=click.Choice(list(ENDPOINTS)), default="os", show_default=True,
              help="Overall survival, progression-free survival or time to progression.")
@click.option("--origin", type=click.Choice(ORIGINS), default="first-timepoint",
              show_default=True, help="Time zero; from diagnosis, patients enter the risk set at their first "
              "dual-PET timepoint (delayed entry).")
@click.option("--at", "at", callback=parse_times, default=None, metavar="T1,T2,...",
              help="Survival at these times (in --time-unit) in km_landmarks.csv [default: 1, 2 and 5 years].")
@click.option("--by", type=click.Choice(list(GROUPINGS)), default="netpet_group", show_default=True,
              help="Grouping of the curves, Table 1 and the Cox model's main term.")
@click.option("--covariates", default="who_grade,age_at_origin", show_default=True, callback=_split,
              help="Comma-separated adjustment terms of the Cox model ('' for none).")
@click.option("--time-unit", type=click.Choice(list(TIME_UNITS)), default="months",
              show_default=True)
@click.option("--conf-type", type=click.Choice(CONF_TYPES), default="log",
              show_default=True, help="KM confidence interval type (R's survfit default: log).")
@click.option("--format", "formats", default="pdf,png", show_default=True, callback=_split,
              metavar="pdf,png,svg", help="Figure formats, comma-separated.")
@click.option("--preset", type=click.Choice(FIGURE_PRESETS), default=None,
              help="Figure width: single (85 mm) or double (174 mm) journal column [default: the --style "
              "file's preset, else single].")
@figure_options
@disclosure_options
def report(db: str | None, out_dir: str, cohort: str | None, endpoint: str, origin: str, at: tuple[float, ...],
           by: str, covariates: tuple[str, ...],
           time_unit: str, conf_type: str, formats: tuple[str, ...], preset: str | None, style_file: str | None,
           min_cell: int | None, shareable: bool, **figure: object) -> None:
    """Write KM curves, the Cox table and forest plot, Table 1, the cohort flow, PH checks and a manifest.

    With --shareable (or --min-cell) every count is suppressed and km_curves.csv is left out (docs/disclosure.md).
    """
    from netpet import __version__
    from netpet.analysis.outputs.provenance import MANIFEST
    from netpet.analysis.outputs.report import write_report

    style = km_style(style_file, figure, preset=preset)
    with open_registry(db, read_only=True) as reg, progress_bar("report") as progress:
        threshold = min_cell_count(reg, min_cell) if shareable or min_cell is not None else None
        manifest = write_report(reg, out_dir, cohort=cohort, endpoint=endpoint, origin=origin, at=at, by=by,
                                covariates=covariates, time_unit=time_unit, conf_type=conf_type, formats=formats,
                                preset=style.preset, versions={"netpet": __version__}, style=style,
                                progress=progress, min_cell=threshold)
        encrypted = reg.encrypted
    protect_outputs(out_dir, encrypted=encrypted)
    numbers = manifest["numbers"]
    click.echo(f"{_n(numbers['patients_analysed'])} patients, {_n(numbers['events'])} events; "
               f"wrote {len(manifest['files']) + 1} files to {out_dir} (see report.md, {MANIFEST})")


def _n(count: int | None) -> str:
    """A count as the report shows it: `*` where a shareable report hides it."""
    return "*" if count is None else str(count)
