"""Bounded automatic retry of a PostgreSQL write that lost a race with another writer, run whole again.

DuckDB's postgres extension runs each write transaction at REPEATABLE READ, so PostgreSQL refuses a
transaction whose rows another one changed after it began: a serialization failure (SQLSTATE 40001), a
deadlock (40P01), or, for two imports adding the same key, a unique violation of a row the other committed.
Such a transaction wrote nothing, and run again from the start (an import re-reads and re-validates its files
against the rows now committed) it usually succeeds: so the whole write is tried up to `$NETPET_WRITE_ATTEMPTS`
times (default 3), pausing `PAUSE` seconds, doubled each time, times a random factor of 0.5 to 1.5 (so that
two losers do not collide again). Every other error is raised at once; a DuckDB file has one writer and is
never retried. docs/disclosure.md describes it for users.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import duckdb

from netpet.registry.errors import RegistryError, WriteConflictError

T = TypeVar("T")
P = ParamSpec("P")
LOG = logging.getLogger("netpet.registry")
ATTEMPTS = 3
PAUSE = 0.2
#: PostgreSQL's words for the two retryable failures (its SQLSTATE does not reach DuckDB's error).
RACES = ("could not serialize access", "deadlock detected")
_UNIQUE = re.compile(r"Key \(([^)]*)\)=\(([^)]*)\) already exists")
_DENIED = re.compile(r"permission denied for (\w+ \w+)")


def write_attempts() -> int:
    """Return how many times a write is tried: `$NETPET_WRITE_ATTEMPTS` (1 turns retrying off), else 3."""
    value = os.environ.get("NETPET_WRITE_ATTEMPTS", str(ATTEMPTS))
    if not value.isdigit() or not 1 <= int(value) <= 20:
        raise RegistryError(f"$NETPET_WRITE_ATTEMPTS must be a whole number from 1 to 20, not {value!r}")
    return int(value)


def lost_race(exc: BaseException) -> bool:
    """Tell whether `exc` is PostgreSQL refusing a transaction because another writer won the race."""
    return isinstance(exc, WriteConflictError) or (
        isinstance(exc, duckdb.Error) and any(s in str(exc) for s in RACES)
    )


def retrying(
    reg: Any,
    work: Callable[[], T],
    *,
    what: str = "write",
    on_retry: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work()` (a whole write, transaction included), again while PostgreSQL refuses it for a lost race.

    `on_retry(attempt, attempts)` is called before each further attempt. After the last attempt the conflict
    is raised as a `WriteConflictError` saying how many times it was tried.
    """
    attempts = write_attempts() if reg.is_postgres else 1
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (duckdb.Error, WriteConflictError) as exc:
            if not reg.is_postgres or not lost_race(exc):
                raise
            if attempt == attempts:
                subject = exc.subject if isinstance(exc, WriteConflictError) else None
                raise WriteConflictError(subject, attempts=attempts, what=what) from None
            LOG.warning("PostgreSQL refused the %s: another writer changed the same rows; attempt %d of %d",
                        what, attempt + 1, attempts)
            if on_retry is not None:
                on_retry(attempt + 1, attempts)
            sleep(PAUSE * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # pragma: no cover


def retried(what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a write whose first argument is the registry so that a lost race re-runs it whole."""

    def decorate(write: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(write)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return retrying(args[0], lambda: write(*args, **kwargs), what=what)

        return run

    return decorate


@contextmanager
def conflicts_as_errors(contested: Callable[[], list[str]]) -> Iterator[None]:
    """Turn PostgreSQL's refusal of a concurrent write into a `WriteConflictError` naming the patient (and a
    role's missing write privilege into a `RegistryError`).

    A unique violation names its key; for a serialization failure or deadlock `contested()` returns the
    patients another writer committed changes to meanwhile (read after the rollback).
    """
    try:
        yield
    except duckdb.Error as exc:
        text = str(exc)
        key = _UNIQUE.search(text)
        if key:
            column, value = key.group(1).split(", ")[0], key.group(2).split(", ")[0]
            what = "patient" if column == "patient_id" else column.removesuffix("_id").replace("_", " ")
            raise WriteConflictError(f"{what} {value}") from None
        denied = _DENIED.search(text)
        if denied:
            raise RegistryError(
                f"this database role may not write the registry (permission denied for {denied.group(1)}); "
                "import as a role in netpet_importer (sql/postgres/roles.sql); nothing was written"
            ) from None
        if lost_race(exc):
            raise WriteConflictError(_patients_phrase(_safely(contested))) from None
        raise


def _safely(contested: Callable[[], list[str]]) -> list[str]:
    """Return `contested()`, or no patient when even that read fails (the conflict is still reported)."""
    try:
        return contested()
    except duckdb.Error:
        return []


def _patients_phrase(patients: list[str]) -> str | None:
    """Return "patient P1" or "patients P1, P2 (and 3 more)" for a message, or None for no patient."""
    if not patients:
        return None
    shown = ", ".join(patients[:5])
    more = f" (and {len(patients) - 5} more)" if len(patients) > 5 else ""
    return f"patient{'s' if len(patients) > 1 else ''} {shown}{more}"
