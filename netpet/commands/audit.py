"""`netpet audit`: run the data checks and write the suppressed audit report (HTML + CSVs)."""

from __future__ import annotations

import sys

import click

from netpet.options import db_option, open_registry, progress_bar, render


@click.command()
@db_option
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into."
)
@click.option(
    "--as-of", "as_of", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Audit date (YYYY-MM-DD)."
)
@click.option(
    "--min-cell",
    type=click.IntRange(min=1),
    default=None,
    help="Small-cell threshold (default: the registry setting min_cell_count, 5).",
)
@click.option(
    "--include-ids", is_flag=True,
    help="Also write the failing rows with patient IDs (failing_rows.csv; internal use, not for sharing).",
)
@click.option(
    "--lost-after-days",
    type=click.IntRange(min=1),
    default=365,
    show_default=True,
    help="No contact for longer than this before --as-of counts as lost to follow-up.",
)
def audit(
    db: str | None, out_dir: str, as_of, min_cell: int | None, include_ids: bool, lost_after_days: int
) -> None:
    """Check the registry's data and write audit.html with a CSV per table.

    Exits with status 1 when a check of severity `error` fails, so that pipelines stop.
    """
    from netpet import __version__
    from netpet.analysis.outputs.audit_report import audit_report, write_audit

    with open_registry(db, read_only=True) as reg, progress_bar("audit") as progress:
        report = audit_report(
            reg,
            as_of=as_of.date(),
            threshold=min_cell,
            include_ids=include_ids,
            lost_after_days=lost_after_days,
            progress=progress,
        )
    written = write_audit(report, out_dir, version=__version__)
    click.echo(render(report.tables[0].frame.drop("description"), "table"))
    click.echo(f"wrote {written[0]} and {len(written) - 1} CSV files")
    if report.failed:
        click.echo("audit failed: a check of severity 'error' has failing rows", err=True)
        sys.exit(1)
