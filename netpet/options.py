"""Options and helpers every command shares: `--db`, `--format`, opening the registry, mapping errors.

A command body opens the registry with `open_registry`, calls one library function, and renders the
returned polars frame with `render`; `RegistryError`s become one-line click errors with a non-zero exit.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from netpet.analysis.vocabulary import OUTPUT_FORMATS

if TYPE_CHECKING:
    import polars as pl

    from netpet.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """Add `--db PATH` to a command; it overrides the group's `--db` / `$NETPET_DB`."""
    return click.option(
        "--db", "db", default=None, help="Registry file (default: the group's --db, $NETPET_DB, ./netpet.duckdb)."
    )(func)


def format_option(func: F) -> F:
    """Add `--format table|csv|json` to a command."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(func)


def cohort_option(func: F) -> F:
    """Add `--cohort NAME` to an analysis command: restrict it to a saved cohort's members."""
    return click.option(
        "--cohort", "cohort", default=None, metavar="NAME",
        help="Analyse only the members of this saved cohort (see `netpet cohort list`).",
    )(func)


def disclosure_options(func: F) -> F:
    """Add `--min-cell N` and `--shareable` to an aggregate-writing command (docs/disclosure.md)."""
    func = click.option(
        "--shareable", is_flag=True,
        help="Apply small-cell suppression and leave out row-level output, so the result may leave the registry.",
    )(func)
    return click.option(
        "--min-cell", type=click.IntRange(min=1), default=None,
        help="Small-cell threshold; implies --shareable (default: the registry setting min_cell_count, 5).",
    )(func)


def min_cell_count(reg: Registry, min_cell: int | None) -> int:
    """Return the small-cell threshold a command applies: `--min-cell`, else the registry's `min_cell_count`."""
    return int(min_cell if min_cell is not None else reg.setting("min_cell_count"))


def protect_outputs(folder: str | os.PathLike[str], *, encrypted: bool) -> None:
    """Make the files written under `folder` owner-only when they come from an encrypted registry, and say so.

    They are plain files: `--encrypt` protects the registry file only (docs/disclosure.md).
    """
    from pathlib import Path

    if not encrypted:
        return
    for path in Path(folder).rglob("*"):
        if path.is_file():
            path.chmod(0o600)
    click.echo("the registry is encrypted, but these files are not: they are plain files readable by you only; "
               "delete them when done (docs/disclosure.md)", err=True)


def cohort_patients(reg: Registry, cohort: str | None) -> pl.DataFrame | None:
    """Return the members of saved cohort `cohort`, or None for no cohort (the whole registry).

    An unknown name raises `CohortError`, which `open_registry` turns into a one-line click error.
    """
    from netpet.registry.cohorts import cohort_members

    return None if cohort is None else cohort_members(reg, cohort)


def resolve_db(db: str | None) -> str:
    """Return the registry path: the command's --db, else the group's (which reads $NETPET_DB)."""
    if db:
        return db
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.obj and ctx.obj.get("db"):
            return str(ctx.obj["db"])
        ctx = ctx.parent
    return os.environ.get("NETPET_DB") or "netpet.duckdb"


def registry_key() -> str | None:
    """Return the encryption key from `$NETPET_KEY` or `$NETPET_KEY_FILE` (owner-only), if any."""
    from netpet.registry.encryption import key_from_environment

    with library_errors():
        return key_from_environment()


@contextmanager
def open_registry(db: str | None, *, read_only: bool = False) -> Iterator[Registry]:
    """Open the registry for a command; library errors become click errors."""
    from netpet.registry import Registry

    with library_errors():
        reg = Registry.open(resolve_db(db), read_only=read_only, key=registry_key())
        try:
            yield reg
        finally:
            reg.close()


@contextmanager
def library_errors() -> Iterator[None]:
    """Turn a `RegistryError` or `AnalysisError` raised in the block into a one-line click error.

    The one place the libraries' errors meet the command line: where an error names the argument that fixes it
    (`replace=True`), or an analysis error names arguments in backticks (`by`), the message names the command's
    flags instead (`--replace`, `--by`).
    """
    from netpet.analysis.errors import AnalysisError, ArgumentError
    from netpet.registry.errors import RegistryError

    try:
        yield
    except (RegistryError, AnalysisError) as exc:
        message = str(exc)
        if exc.fix:
            message = message.replace(f"{exc.fix}=True", f"--{exc.fix.replace('_', '-')}")
        if isinstance(exc, AnalysisError):  # arguments named in backticks are the command's flags
            message = re.sub(r"`([a-z_]+)`", lambda m: "--" + m.group(1).replace("_", "-"), message)
        if isinstance(exc, ArgumentError):
            raise click.UsageError(message) from None
        raise click.ClickException(message) from None

@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a progress callback drawing a click progress bar on a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
        state: dict[str, Any] = {"step": None}

        def progress(step: str, done: int, total: int) -> None:
            if step != state["step"]:
                state["step"] = step
                bar.label = step
                bar.length, bar.pos = total, 0
            bar.update(done - bar.pos)

        yield progress


def dumps(payload: object) -> str:
    """Serialise a JSON payload the way every command does (dates as ISO text, NaN and infinities as null)."""
    from netpet.analysis.serialise import to_json

    return to_json(payload)


def render(frame: pl.DataFrame, fmt: str) -> str:
    """Render a polars frame as an aligned table, CSV or JSON records (bytes as base64 text)."""
    import polars as pl

    if fmt == "csv":  # CSV has no bytes: a BLOB column is written as base64 text, as in JSON
        binary = [c for c, t in frame.schema.items() if t == pl.Binary]
        return frame.with_columns(pl.col(binary).bin.encode("base64")).write_csv().rstrip("\n")
    if fmt == "json":
        return dumps(frame.to_dicts())
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, tbl_formatting="ASCII_MARKDOWN",
                   tbl_hide_column_data_types=True, fmt_str_lengths=1000, tbl_width_chars=1000):
        return str(frame)
