"""Commands that keep the registry safe: backup and restore."""

from __future__ import annotations

import click

from netpet.options import db_option, format_option, registry_errors, registry_key, render, resolve_db


@click.command()
@db_option
@click.argument("dest", type=click.Path(file_okay=False))
def backup(db: str | None, dest: str) -> None:
    """Write a consistent copy of the registry and a checksum manifest into the new folder DEST."""
    from netpet.registry.backup import backup_registry

    with registry_errors():
        manifest = backup_registry(resolve_db(db), dest, key=registry_key())
    rows = sum(manifest["row_counts"].values())
    click.echo(f"backed up {manifest['file']} ({manifest['bytes']} bytes, {rows} rows) to {dest}")
    click.echo(f"sha256 {manifest['sha256']}")


@click.command()
@db_option
@format_option
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace an existing registry at --db.")
def restore(db: str | None, fmt: str, src: str, overwrite: bool) -> None:
    """Verify the backup in folder SRC against its manifest and restore it to --db."""
    from netpet.registry.backup import restore_registry

    with registry_errors():
        counts = restore_registry(src, resolve_db(db), key=registry_key(), overwrite=overwrite)
    click.echo(render(counts, fmt))
