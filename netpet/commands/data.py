"""Commands that bring data into a registry: import a site folder, build the demo registry."""

from __future__ import annotations

import sys

import click

from netpet.options import (
    db_option,
    format_option,
    open_registry,
    progress_bar,
    registry_errors,
    render,
    resolve_db,
)


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@db_option
@click.option("--update", is_flag=True, help="Replace rows already in the registry that the files change.")
@click.option("--ignore-unknown-columns", is_flag=True, help="Skip columns the format does not define.")
@click.option("--pair", is_flag=True, help="Also pair unpaired SSTR and FDG scans into timepoints (netpet pair).")
@format_option
def import_(folder: str, db: str | None, update: bool, ignore_unknown_columns: bool, pair: bool, fmt: str) -> None:
    """Import FOLDER's tables (CSV or Parquet) into the registry, all or nothing."""
    import polars as pl

    from netpet.registry import ValidationError
    from netpet.registry.ingest import import_folder
    from netpet.registry.import_issues import format_issues

    with open_registry(db) as reg, progress_bar("import") as progress:
        try:
            summary = import_folder(
                reg, folder, update=update, ignore_unknown_columns=ignore_unknown_columns, pair=pair,
                progress=progress,
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
@click.option("--replace", is_flag=True, help="Replace an existing registry file at --db.")
@format_option
def demo(
    db: str | None, out_dir: str, patients: int, seed: int, lesions_per_timepoint: float, replace: bool, fmt: str
) -> None:
    """Build the synthetic demo registry and write a first survival summary (KM by NETPET group)."""
    from pathlib import Path

    from netpet.analysis.outputs.summary import km_by_group, write_km_summary
    from netpet.registry.demo import build_demo_registry

    path = resolve_db(db)
    with registry_errors(), progress_bar("demo") as progress:
        build_demo_registry(
            path, Path(out_dir) / "data", patients=patients, seed=seed,
            lesions_per_timepoint=lesions_per_timepoint, replace=replace, progress=progress,
        )
    with open_registry(path, read_only=True) as reg:
        report = km_by_group(reg)
    files = write_km_summary(report, out_dir)
    click.echo(f"demo registry {path}: {patients} patients (seed {seed})")
    click.echo(render(report.fit.summary, fmt))
    click.echo(f"log-rank chi-square {report.logrank.chisq:.2f} on {report.logrank.df} df, p = {report.logrank.p:.3g}")
    for file in files:
        click.echo(f"wrote {file}")
