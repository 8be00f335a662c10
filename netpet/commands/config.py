"""`netpet config list|get|set|history`: the registry's settings, each change kept in the change history."""

from __future__ import annotations

import click

from netpet.options import db_option, format_option, open_registry, render


@click.group()
def config() -> None:
    """Show and change the registry's settings (pairing window, score source, min cell count)."""


@config.command("list")
@db_option
@format_option
def list_(db: str | None, fmt: str) -> None:
    """List every setting with its value, default and meaning."""
    from netpet.registry.settings import list_settings

    with open_registry(db, read_only=True) as reg:
        click.echo(render(list_settings(reg), fmt))


@config.command()
@click.argument("name")
@db_option
def get(name: str, db: str | None) -> None:
    """Print the value of setting NAME."""
    with open_registry(db, read_only=True) as reg:
        click.echo(reg.setting(name))


@config.command("set")
@click.argument("name")
@click.argument("value")
@db_option
def set_(name: str, value: str, db: str | None) -> None:
    """Set NAME to VALUE; the change history keeps the old value (`netpet config history`)."""
    with open_registry(db) as reg:
        old = reg.setting(name)
        reg.set_setting(name, value, command="config set")
        click.echo(f"{name}: {old} -> {reg.setting(name)}")


@config.command()
@db_option
@format_option
def history(db: str | None, fmt: str) -> None:
    """List every recorded change of a setting: when, who, which command, old and new value."""
    from netpet.registry.settings import setting_changes

    with open_registry(db, read_only=True) as reg:
        click.echo(render(setting_changes(reg), fmt))
