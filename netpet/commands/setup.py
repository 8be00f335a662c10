"""Commands that create and maintain a registry file: init, migrate, views."""

from __future__ import annotations

import click

from netpet.options import (
    db_option,
    format_option,
    open_registry,
    registry_errors,
    registry_key,
    render,
    resolve_db,
)


@click.command()
@db_option
@click.option("--encrypt", is_flag=True, help="Encrypt the file; the key comes from $NETPET_KEY or $NETPET_KEY_FILE.")
def init(db: str | None, encrypt: bool) -> None:
    """Create an empty registry at --db and apply the schema."""
    from netpet.registry import Registry

    path = resolve_db(db)
    key = registry_key()
    if encrypt and not key:
        raise click.ClickException("--encrypt needs a key: set $NETPET_KEY or $NETPET_KEY_FILE")
    with registry_errors():
        reg = Registry.create(path, key=key if encrypt else None)
    reg.close()
    click.echo(f"created registry {reg.name}")


@click.command()
@db_option
@click.option(
    "--refresh-analysis",
    is_flag=True,
    help="Also re-derive the stored analysis rows of every patient (after the clinical tables were edited "
    "outside netpet, as the audit check analysis_tables_stale reports).",
)
def migrate(db: str | None, refresh_analysis: bool) -> None:
    """Apply pending migrations and rebuild every view (opening for writing does both)."""
    from netpet.registry.analysis_tables import refresh_analysis_tables
    from netpet.registry.migrations import applied_migrations

    with open_registry(db) as reg:
        if refresh_analysis:
            with reg.transaction() as con:
                refresh_analysis_tables(con)
        done = ", analysis rows re-derived" if refresh_analysis else ""
        click.echo(f"{reg.name}: {applied_migrations(reg).height} migrations applied, views rebuilt{done}")


@click.command()
@db_option
@format_option
def views(db: str | None, fmt: str) -> None:
    """List the analysis views and what each holds."""
    from netpet.registry.views import list_views

    with open_registry(db, read_only=True) as reg:
        click.echo(render(list_views(reg), fmt))
