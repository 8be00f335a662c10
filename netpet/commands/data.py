"""Commands that bring data into a registry: import a site folder, build the demo registry."""

from __future__ import annotations

import sys

import click

from netpet.options import (
    db_option,
    format_option,
    library_errors,
    open_registry,
    progress_bar,
    render,
    resolve_db,
)


@click.command("import")
@click.argument("source", type=click.Path(exists=True))
@db_option
@click.option("--from", "kind", type=click.Choice(["auto", "folder", "xlsx", "redcap"]), default="auto",
              show_default=True, help="What SOURCE is; auto: a folder, or a workbook by its .xlsx suffix.")
@click.option("--update", is_flag=True, help="Replace rows already in the registry that the files change.")
@click.option("--ignore-unknown-columns", is_flag=True, help="Skip columns the format does not define.")
@click.option("--pair", is_flag=True, help="Also pair unpaired SSTR and FDG scans into timepoints (netpet pair).")
@click.option("--date-format", help="Also accept dates written so, e.g. %d/%m/%Y (ISO YYYY-MM-DD is always accepted).")
@click.option("--window-days", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Largest gap between a timepoint's paired scans, for this import only [default: the setting "
              "pairing_window_days; `netpet config set pairing_window_days DAYS` changes it for good].")
@format_option
def import_(
    source: str, db: str | None, kind: str, update: bool, ignore_unknown_columns: bool, pair: bool,
    date_format: str | None, window_days: int | None, fmt: str,
) -> None:
    """Import SOURCE into the registry, all or nothing.

    SOURCE is a folder of tables (CSV or Parquet), an Excel workbook (.xlsx, one sheet per table) or, with
    --from redcap, the "CSV (raw data)" export of the NETPET REDCap project. `netpet template` writes empty
    tables to fill in.

    \b
    The format of every table and column: docs/import-format.md
    """
    import polars as pl

    from netpet.registry import ValidationError
    from netpet.registry.import_issues import format_issues
    from netpet.registry.sources import import_source

    with open_registry(db) as reg, progress_bar("import") as progress:
        try:
            summary = import_source(
                reg, source, source=kind, update=update, ignore_unknown_columns=ignore_unknown_columns, pair=pair,
                date_format=date_format, progress=progress, window_days=window_days,
            )
        except ValidationError as exc:
            lines = format_issues(exc.issues) if isinstance(exc.issues, pl.DataFrame) else [str(exc)]
            for line in lines:
                click.echo(line, err=True)
            click.echo(f"{len(lines)} problem(s); nothing was imported", err=True)
            sys.exit(1)
    click.echo(render(summary, fmt))
    if pair:
        click.echo("scans left unpaired or ambiguous: see `netpet pair --dry-run`", err=True)


@click.command()
@db_option
@click.option("--out", "out_dir", default="demo-out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo's data files and survival summary.")
@click.option("--patients", default=1000, show_default=True, type=click.IntRange(min=1), help="Number of patients.")
@click.option("--seed", default=42, show_default=True, help="Random seed; the same seed gives the same registry.")
@click.option("--lesions-per-timepoint", default=6.0, show_default=True, help="Mean lesion reads per timepoint.")
@click.option("--replace", is_flag=True, help="Rebuild the registry at --db (else an existing demo registry is kept).")
@format_option
def demo(
    db: str | None, out_dir: str, patients: int, seed: int, lesions_per_timepoint: float, replace: bool, fmt: str
) -> None:
    """Build the synthetic demo registry and write a first survival summary (KM by NETPET group)."""
    from pathlib import Path

    from netpet.analysis.outputs.summary import km_by_group, write_km_summary
    from netpet.registry.demo import build_demo_registry, is_demo_registry

    path = resolve_db(db)
    with library_errors():
        keep = not replace and is_demo_registry(path)
    if not keep:
        with library_errors(), progress_bar("demo") as progress:
            build_demo_registry(
                path, Path(out_dir) / "data", patients=patients, seed=seed,
                lesions_per_timepoint=lesions_per_timepoint, replace=replace, progress=progress,
            )
    with open_registry(path, read_only=True) as reg:
        report = km_by_group(reg)
        count = reg.row_counts()["patients"]
    files = write_km_summary(report, out_dir)
    kept = " (kept as it was; --replace rebuilds it)" if keep else f" (seed {seed})"
    click.echo(f"demo registry {path}: {count} patients{kept}")
    click.echo(render(report.fit.summary, fmt))
    click.echo(f"log-rank chi-square {report.logrank.chisq:.2f} on {report.logrank.df} df, p = {report.logrank.p:.3g}")
    for file in files:
        click.echo(f"wrote {file}")


@click.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "redcap"]), default="csv", show_default=True,
              help="One CSV file per table, one workbook (a sheet per table, drop-down lists) or a REDCap "
              "data dictionary (docs/redcap.md).")
def template(out_dir: str, fmt: str) -> None:
    """Write empty import tables to fill in (format: docs/import-format.md), then `netpet import` them."""
    from netpet.registry.templates import write_templates

    for path in write_templates(out_dir, fmt=fmt):
        click.echo(f"wrote {path}")
