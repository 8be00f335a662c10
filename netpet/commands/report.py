"""`netpet report`: the whole survival report of the registry or a saved cohort, written to one folder."""

from __future__ import annotations

import click

from netpet.options import cohort_option, db_option, open_registry

ENDPOINTS = ("os", "pfs", "ttp")
GROUPS = ("netpet_group", "netpet_score", "who_grade", "primary_site", "site", "sex")


def _split(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@click.command()
@db_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the report.")
@cohort_option
@click.option("--endpoint", type=click.Choice(ENDPOINTS), default="os", show_default=True,
              help="Overall survival, progression-free survival or time to progression.")
@click.option("--by", type=click.Choice(GROUPS), default="netpet_group", show_default=True,
              help="Grouping of the curves, Table 1 and the Cox model's main term.")
@click.option("--covariates", default="who_grade,age_at_origin", show_default=True, callback=_split,
              help="Comma-separated adjustment terms of the Cox model ('' for none).")
@click.option("--time-unit", type=click.Choice(["days", "weeks", "months", "years"]), default="months",
              show_default=True)
@click.option("--conf-type", type=click.Choice(["log", "log-log", "plain", "logit", "arcsin"]), default="log",
              show_default=True, help="KM confidence interval type (R's survfit default: log).")
@click.option("--format", "formats", default="pdf,png", show_default=True, callback=_split,
              metavar="pdf,png,svg", help="Figure formats, comma-separated.")
@click.option("--preset", type=click.Choice(["single", "double"]), default="single", show_default=True,
              help="Figure width: single (85 mm) or double (174 mm) journal column.")
def report(db: str | None, out_dir: str, cohort: str | None, endpoint: str, by: str, covariates: tuple[str, ...],
           time_unit: str, conf_type: str, formats: tuple[str, ...], preset: str) -> None:
    """Write KM curves, the Cox table and forest plot, Table 1, the cohort flow, PH checks and a manifest."""
    from netpet.analysis.outputs.report import MANIFEST, write_report
    from netpet import __version__

    with open_registry(db, read_only=True) as reg:
        try:
            manifest = write_report(reg, out_dir, cohort=cohort, endpoint=endpoint, by=by, covariates=covariates,
                                    time_unit=time_unit, conf_type=conf_type, formats=formats, preset=preset,
                                    versions={"netpet": __version__})
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    numbers = manifest["numbers"]
    click.echo(f"{numbers['patients_analysed']} patients, {numbers['events']} events; "
               f"wrote {len(manifest['files']) + 1} files to {out_dir} (see report.md, {MANIFEST})")
