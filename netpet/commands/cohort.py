"""Commands for saved cohorts (`netpet cohort build|list|show|attrition|drop`), `query` and `export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from netpet.options import db_option, dumps, format_option, open_registry, progress_bar, protect_outputs, render

if TYPE_CHECKING:
    import polars as pl


def _echo(frame: pl.DataFrame, fmt: str) -> None:
    # render's CSV ends with a newline and echo adds one: a blank line would read as an empty CSV row.
    click.echo(render(frame, fmt))


@click.group()
def cohort() -> None:
    """Build, list, show and drop saved cohorts (definition schema: docs/cohorts.md)."""


@cohort.command()
@click.argument("definition", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Name to save the cohort under (letters, digits, _ . -).")
@click.option("--replace", is_flag=True, help="Replace a saved cohort of the same name.")
@db_option
@format_option
def build(definition: Path, name: str, replace: bool, db: str | None, fmt: str) -> None:
    """Build cohort NAME from the YAML file DEFINITION, save it, and print its attrition."""
    from netpet.registry.cohorts import build_cohort

    with open_registry(db) as reg, progress_bar("cohort") as progress:
        steps = build_cohort(reg, definition, name, replace=replace, progress=progress)
    _echo(steps, fmt)


@cohort.command("list")
@db_option
@format_option
def list_(db: str | None, fmt: str) -> None:
    """List the saved cohorts, newest first."""
    from netpet.registry.cohorts import list_cohorts

    with open_registry(db, read_only=True) as reg:
        _echo(list_cohorts(reg), fmt)


@cohort.command()
@click.argument("name")
@db_option
@format_option
def show(name: str, db: str | None, fmt: str) -> None:
    """Show cohort NAME: its definition, hash, registry state, and whether the registry changed since."""
    import polars as pl

    from netpet.registry.cohorts import attrition, show_cohort

    with open_registry(db, read_only=True) as reg:
        record = show_cohort(reg, name).to_dicts()[0]
        steps = attrition(reg, name)
    if fmt == "json":
        click.echo(dumps({**record, "attrition": steps.to_dicts()}))
        return
    fields = pl.DataFrame({"field": list(record), "value": [str(v) for v in record.values()]})
    _echo(fields.filter(pl.col("field") != "definition"), fmt)
    click.echo(record["definition"])


@cohort.command("attrition")
@click.argument("name")
@db_option
@format_option
def attrition_(name: str, db: str | None, fmt: str) -> None:
    """Print cohort NAME's attrition: patients remaining after each criterion (the flow diagram's data)."""
    from netpet.registry.cohorts import attrition

    with open_registry(db, read_only=True) as reg:
        _echo(attrition(reg, name), fmt)


@cohort.command()
@click.argument("name")
@db_option
def drop(name: str, db: str | None) -> None:
    """Delete cohort NAME with its members and attrition."""
    from netpet.registry.cohorts import drop_cohort

    with open_registry(db) as reg:
        drop_cohort(reg, name)
    click.echo(f"dropped cohort {name}")


@click.command()
@click.argument("sql")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]), default="table",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the terminal (required for parquet).")
@click.option("--tables", is_flag=True,
              help="Also read the base tables (exact dates such as birth dates; for data managers).")
def query(sql: str, db: str | None, fmt: str, output: Path | None, tables: bool) -> None:
    """Run one read-only SELECT (or DESCRIBE VIEW) over the registry's analysis views (`netpet views`).

    Base tables only with --tables. The query runs sandboxed: no files, network or extensions. Where
    $NETPET_READER_DB names the registry as a read-only role (sql/postgres/roles.sql), the query connects
    with it instead of the group's --db.
    """
    import os

    from netpet.registry.query import run_query

    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet writes a file: give --output FILE")
    with open_registry(db or os.environ.get("NETPET_READER_DB"), read_only=True) as reg:
        frame = run_query(reg, sql, tables=tables)
    if output is None:
        _echo(frame, fmt)
        return
    if fmt == "parquet":
        frame.write_parquet(output)
    else:
        output.write_text(render(frame, fmt) + "\n", encoding="utf-8")
    click.echo(f"wrote {frame.height} rows to {output}", err=True)


@click.command()
@click.option("--cohort", "cohort_name", default=None, help="Export only this saved cohort's patients.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "dta", "sav"]), default="parquet",
              show_default=True, help="File format: parquet for R/Python, csv (with load.R) for anything, dta for "
              "Stata, sav for SPSS (variable and value labels).")
@click.option("--time-unit", type=click.Choice(["days", "weeks", "months", "years"]), default="days",
              show_default=True, help="Unit of the survival times (os_days becomes os_months, ...).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="export",
              show_default=True, help="Folder to write the files into.")
@click.option("--deidentify", is_flag=True,
              help="Keyed pseudonyms, shifted dates, no free text, birth year only (docs/deidentify.md).")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File holding the project secret (owner-only, chmod 600); else $NETPET_SECRET.")
@click.option("--max-shift-days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Largest date shift either way when de-identifying.")
@db_option
def export(
    cohort_name: str | None, fmt: str, time_unit: str, out_dir: Path, deidentify: bool, secret_file: Path | None,
    max_shift_days: int, db: str | None,
) -> None:
    """Write the analysis views (patient_survival, timepoint_scores, treatments, outcomes) and a codebook."""
    from netpet.registry.deidentify import project_secret
    from netpet.registry.export import companion_files, export_views

    with open_registry(db, read_only=True) as reg:
        secret = project_secret(secret_file) if deidentify else None
        files = export_views(reg, out_dir, cohort=cohort_name, fmt=fmt, deidentify=deidentify, secret=secret,
                             max_shift_days=max_shift_days, time_unit=time_unit)
        encrypted = reg.encrypted
    for path in [*files, *companion_files(out_dir, fmt)]:
        click.echo(str(path))
    protect_outputs(out_dir, encrypted=encrypted)
