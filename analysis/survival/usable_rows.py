"""Which rows the survival engine analyses, by R's rules, shared by Cox, Kaplan–Meier, log-rank and concordance.

R's survival functions take event codes 0/1 (or logicals), leave out rows with a missing value in any
variable of the model (`na.action = na.omit`) and rows whose (entry, time] interval is empty (`Surv` makes
them NA), and say how many. Here such rows are left out and counted in a note on the result; an event code
other than 0/1 is an error naming the row, since R would read 1/2 as censored/dead and 0/1/2 as
multi-state data, neither of which the registry means.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError


class SurvivalDataError(AnalysisError):
    """Survival data the engine cannot analyse (a bad event code)."""


def left_out_note(count: int, reason: str) -> str:
    """Return the note for rows left out, e.g. '2 rows with missing values left out'."""
    return f"{count} row{'' if count == 1 else 's'} {reason} left out"


def check_event_codes(event: pl.Series | np.ndarray | Sequence[object]) -> None:
    """Refuse event values other than 0/1 (or booleans); missing values are allowed (left out later)."""
    series = event if isinstance(event, pl.Series) else pl.Series(values=event, strict=False, nan_to_null=True)
    if series.dtype == pl.Boolean:
        return
    if series.dtype.is_integer() and not series.null_count():  # the usual case, without a polars query
        codes = series.to_numpy()
        if not np.any((codes != 0) & (codes != 1)):
            return
    values = series.cast(pl.Float64, strict=False).fill_nan(None)
    bad = (values.is_not_null() & ~values.is_in([0.0, 1.0])) | (series.is_not_null() & values.is_null())
    if bad.any():
        row = int(bad.arg_true()[0])
        raise SurvivalDataError(
            f"event must be 0 or 1 (or boolean) in every row; row {row + 1} has {series[row]!r} "
            "(use 1 for an event and 0 for censored)"
        )


def missing_rows(*columns: pl.Series | np.ndarray | Sequence[object] | None) -> np.ndarray:
    """Return which rows have a missing (null or NaN) value in any of `columns` (None entries skipped)."""
    out: np.ndarray | None = None
    for column in columns:
        if column is None:
            continue
        series = column if isinstance(column, pl.Series) else pl.Series(values=column, strict=False,
                                                                          nan_to_null=True)
        if series.dtype.is_float():
            series = series.fill_nan(None)
        missing = series.is_null().to_numpy()
        out = missing if out is None else out | missing
    if out is None:
        raise AnalysisError("missing_rows needs at least one column")
    return out


def usable_rows(data: pl.DataFrame, used: Sequence[str]) -> tuple[pl.DataFrame, list[str]]:
    """Return the rows R would analyse and a note per reason for those left out.

    Left out: a missing value in a `used` column (R's na.omit), and, when the rows are (entry, time]
    intervals (an `entry` column with a non-zero value), an interval with entry >= time.
    """
    check_event_codes(data.get_column("event"))
    notes: list[str] = []
    if _has_missing(data, used):
        missing = pl.any_horizontal(
            pl.col(c).is_null() | pl.col(c).is_nan() if data.schema[c].is_float() else pl.col(c).is_null()
            for c in used
        )
        dropped = data.select(missing.sum()).item()
        notes.append(left_out_note(dropped, "with missing values"))
        data = data.filter(~missing)
    if "entry" in data.columns and data.get_column("entry").ne(0).any():
        empty = data.get_column("entry").ge(data.get_column("time"))
        dropped = int(empty.sum())
        if dropped:
            notes.append(left_out_note(dropped, "with entry not before time (R's Surv makes them NA)"))
            data = data.filter(~empty)
    return data, notes


def _has_missing(data: pl.DataFrame, used: Sequence[str]) -> bool:
    """Whether a `used` column has a null (polars keeps the counts) or, if floating point, a NaN: no query
    over the rows when nothing is missing, the usual case (issue 21: a third of a millisecond of a fit)."""
    for name in used:
        column = data.get_column(name)
        if column.null_count() or (column.dtype.is_float() and np.isnan(column.to_numpy()).any()):
            return True
    return False
