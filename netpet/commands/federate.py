"""`netpet federate`: pooled analysis across sites that share no rows (site summaries out, pooled results in)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from netpet.options import db_option, dumps, open_registry, registry_errors, render


@click.group()
def federate() -> None:
    """Pool survival analyses across sites from aggregate files: no patient row leaves a site."""


@federate.command()
@db_option
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The site file to write (JSON; counts only, no IDs, no dates).")
@click.option("--endpoint", default="os", show_default=True, type=click.Choice(["os", "pfs", "ttp"]))
@click.option("--by", default="netpet_group", show_default=True, help="Grouping (as for `netpet km`).")
@click.option("--time-unit", default="months", show_default=True,
              type=click.Choice(["days", "weeks", "months", "years"]))
@click.option("--coarsen", default=None, help="Round times up to a unit (e.g. months) or a width in --time-unit.")
@click.option("--min-cell", type=int, default=None, help="Leave out groups smaller than this (default: setting).")
@click.option("--site-label", default=None, help="The site's name in pooled output.")
def summarise(db: str | None, out: Path, endpoint: str, by: str, time_unit: str, coarsen: str | None,
              min_cell: int | None, site_label: str | None) -> None:
    """Write this site's survival counts per group and time to --out, for `netpet federate pool`."""
    from netpet.analysis.studies.federation import site_summary

    with open_registry(db, read_only=True) as reg:
        summary = site_summary(reg, endpoint=endpoint, by=by, time_unit=time_unit, coarsen=coarsen,
                               min_cell=min_cell, site_label=site_label)
    out.write_text(dumps(summary) + "\n", encoding="utf-8")
    kept = sum(g["n"] for g in summary["groups"])
    click.echo(f"wrote {out}: {len(summary['groups'])} groups, {kept} patients, "
               f"{summary['suppressed_groups']} small groups suppressed")


@federate.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write km_table.csv, km_summary.csv, cox.csv and pooled.json here.")
def pool(files: tuple[Path, ...], fmt: str, out_dir: Path | None) -> None:
    """Pool site files: KM medians by group, log-rank, and the site-stratified Cox model."""
    from netpet.analysis.studies.federation import pool_summaries, write_pooled

    with registry_errors():
        result = pool_summaries([_read_site_file(path) for path in files])
        if out_dir is not None:
            write_pooled(result, out_dir)
    if fmt == "json":
        click.echo(dumps(result.to_dict()))
        return
    click.echo(render(result.sites, "table"))
    click.echo(render(result.km_summary, "table"))
    tests = [("log-rank", result.logrank), ("log-rank stratified by site", result.logrank_by_site)]
    if result.cox is not None:
        click.echo(render(result.cox.coefficients, "table"))
        tests += [(f"Cox {name} (strata: site, {result.cox.ties} ties)", getattr(result.cox, name.replace(" ", "_")))
                  for name in ("likelihood ratio", "wald", "score")]
    for name, test in tests:
        click.echo(f"{name}: chisq = {test.chisq:.3f} on {test.df} df, p {_p_text(test.p)}")
    for note in result.notes:
        click.echo(f"note: {note}")


def _p_text(p: float) -> str:
    return "< 1e-16" if p < 1e-16 else f"= {p:.3g}"


def _read_site_file(path: Path) -> dict:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        content = None
    if not isinstance(content, dict):
        raise click.ClickException(f"{path.name} is not a site summary (JSON from `netpet federate summarise`)")
    return content
