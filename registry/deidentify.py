"""De-identification for exports: keyed pseudonyms, one date shift per patient, no free text, birth year only.

Pseudonyms are HMAC-SHA256 of the ID under the project secret, so the same patient gets the same pseudonym in
every export made with that secret and nobody without it can link back. Each patient's dates all move by
one offset derived from the same secret (1 to `max_shift_days` days either way, never 0): intervals, and so
every survival time, are preserved; calendar dates are not. Free-text fields and registry bookkeeping are
dropped; birth dates become birth years and exact ages whole years (an age to the day plus a shifted date
would give the shift away). Where the secret comes from is `project_secret`'s job. Pure functions on polars
frames otherwise; docs/deidentify.md states the policy.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from netpet.registry.encryption import read_key_file
from netpet.registry.errors import RegistryError

#: Columns holding identifiers that are pseudonymised wherever they appear.
ID_COLUMNS = ("patient_id", "scan_id", "sstr_scan_id", "fdg_scan_id", "timepoint_id", "treatment_id")
#: Free-text columns, dropped.
FREE_TEXT_COLUMNS = ("detail",)
#: Registry bookkeeping that links rows to import batches (and so to delivery dates), dropped.
BOOKKEEPING_COLUMNS = ("batch_id",)
#: Exact ages (fractional years) are cut to whole years.
AGE_PREFIX = "age_"
DEFAULT_MAX_SHIFT_DAYS = 365


def _digest(secret: bytes, purpose: bytes, value: str) -> bytes:
    return hmac.new(secret, purpose + b"\x00" + value.encode("utf-8"), hashlib.sha256).digest()


def pseudonym(secret: bytes, value: str, *, prefix: str = "X") -> str:
    """Return the keyed pseudonym of an identifier (stable for a given secret)."""
    return f"{prefix}-{_digest(secret, b'id', value).hex()[:16]}"


def project_secret(secret_file: str | Path | None = None) -> bytes:
    """Return the project's de-identification secret: from `secret_file` (owner-only), else `$NETPET_SECRET`."""
    if secret_file is not None:
        return read_key_file(secret_file).encode("utf-8")
    if os.environ.get("NETPET_SECRET"):
        return os.environ["NETPET_SECRET"].encode("utf-8")
    raise RegistryError("de-identifying needs the project secret: set $NETPET_SECRET or give a secret file (chmod 600)")


def date_shift_days(secret: bytes, patient_id: str, *, max_shift_days: int = DEFAULT_MAX_SHIFT_DAYS) -> int:
    """Return the patient's date offset in days, keyed by the secret: in [-max_shift_days, max_shift_days], never 0.

    Zero is left out so that no patient keeps their real dates.
    """
    if max_shift_days < 1:
        raise RegistryError("max_shift_days must be at least 1")
    raw = int.from_bytes(_digest(secret, b"shift", patient_id)[:8], "big") % (2 * max_shift_days)
    return raw - max_shift_days if raw < max_shift_days else raw - max_shift_days + 1


def deidentify_frame(
    frame: pl.DataFrame, secret: bytes, *, max_shift_days: int = DEFAULT_MAX_SHIFT_DAYS
) -> pl.DataFrame:
    """De-identify one table: pseudonymise IDs, shift dates by the patient's offset, drop free text.

    The frame must have `patient_id` when it has any date column, so each date moves with its patient.
    `birth_date` becomes `birth_year` (itself from the unshifted date: a year is not identifying alone);
    `age_*` columns become whole years; `batch_id` is dropped.
    """
    if len(secret) < 16:
        raise RegistryError("the de-identification secret must be at least 16 bytes long")
    dates = [c for c, t in frame.schema.items() if t == pl.Date and c != "birth_date"]
    if dates and "patient_id" not in frame.columns:
        raise RegistryError("a table with dates needs patient_id to shift them per patient")
    out = frame.drop([c for c in (*FREE_TEXT_COLUMNS, *BOOKKEEPING_COLUMNS) if c in frame.columns])
    ages = [c for c, t in out.schema.items() if c.startswith(AGE_PREFIX) and t.is_numeric()]
    out = out.with_columns(pl.col(ages).floor().cast(pl.Int32))
    if "birth_date" in out.columns:
        out = out.with_columns(pl.col("birth_date").dt.year().alias("birth_year")).drop("birth_date")
    if dates:
        shifts = _lookup(out["patient_id"], lambda p: date_shift_days(secret, p, max_shift_days=max_shift_days))
        out = out.with_columns(pl.Series("_shift", shifts, dtype=pl.Int64)).with_columns(
            [(pl.col(c) + pl.duration(days=pl.col("_shift"))).alias(c) for c in dates]
        ).drop("_shift")
    renames = {c: _lookup(out[c], lambda v: pseudonym(secret, v)) for c in ID_COLUMNS if c in out.columns}
    return out.with_columns([pl.Series(c, values, dtype=pl.String) for c, values in renames.items()])


def deidentify_tables(
    tables: Mapping[str, pl.DataFrame], secret: bytes, *, max_shift_days: int = DEFAULT_MAX_SHIFT_DAYS
) -> dict[str, pl.DataFrame]:
    """De-identify several tables with one secret, so their pseudonyms and date shifts agree."""
    return {name: deidentify_frame(f, secret, max_shift_days=max_shift_days) for name, f in tables.items()}


def _lookup(column: pl.Series, fn) -> list[object]:  # type: ignore[no-untyped-def]
    """Apply `fn` once per distinct non-null value of `column` and return the mapped column as a list."""
    mapping = {v: fn(v) for v in column.drop_nulls().unique().to_list()}
    return [None if v is None else mapping[v] for v in column.to_list()]
