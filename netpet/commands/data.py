"""Commands that bring data into a registry: import (the demo command lives elsewhere)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from netpet.options import db_option, format_option, open_registry, render


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a progress callback drawing a click progress bar on a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label="import", file=sys.stderr) as bar:
        state: dict[str, Any] = {"step": None}

        def progress(step: str, done: int, total: int) -> None:
            if step != state["step"]:
                state["step"] = step
                bar.label = step
                bar.length, bar.pos = total, 0
            bar.update(done - bar.pos)

        yield progress


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@db_option
@click.option("--update", is_flag=True, help="Replace rows already in the registry that the files change.")
@click.option("--ignore-unknown-columns", is_flag=True, help="Skip columns the format does not define.")
@format_option
def import_(folder: str, db: str | None, update: bool, ignore_unknown_columns: bool, fmt: str) -> None:
    """Import FOLDER's tables (CSV or Parquet) into the registry, all or nothing."""
    import polars as pl

    from registry import ValidationError
    from registry.ingest import import_folder
    from registry.validate import format_issues

    with open_registry(db) as reg, _progress_bar() as progress:
        try:
            summary = import_folder(
                reg, folder, update=update, ignore_unknown_columns=ignore_unknown_columns, progress=progress
            )
        except ValidationError as exc:
            lines = format_issues(exc.issues) if isinstance(exc.issues, pl.DataFrame) else [str(exc)]
            for line in lines:
                click.echo(line, err=True)
            click.echo(f"{len(lines)} problem(s); nothing was imported", err=True)
            sys.exit(1)
    click.echo(render(summary, fmt))
