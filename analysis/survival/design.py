"""Build a Cox model matrix from a polars frame: dummy columns for categorical terms, numeric terms as is.

A categorical term with k levels becomes k - 1 indicator columns named `term=level` (R's `termlevel`),
against a reference level: the one asked for, else P1 for the NETPET groupings, else the first level in
the order of `netpet.analysis.vocabulary.GROUPINGS` (alphabetical when it gives none). Fitting is left to
`netpet.analysis.survival.cox`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from netpet.analysis.errors import AnalysisError
from netpet.analysis.vocabulary import GROUPINGS

#: Reference level when none is asked for (the published NETPET analyses compare with P1).
DEFAULT_REFERENCE = {"netpet_group": "P1", "netpet_score": "P1"}


@dataclass(frozen=True)
class Design:
    """A model matrix with its column names and the columns each term owns (R's `assign`)."""

    matrix: np.ndarray
    columns: list[str]
    assign: dict[str, list[int]]
    reference: dict[str, str]


def is_categorical(dtype: pl.DataType) -> bool:
    """Return whether a column of this dtype enters a model as a factor rather than a number."""
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)


def _ordered_levels(term: str, present: Sequence[str | None], levels: Sequence[str] | None) -> list[str]:
    """Put the (non-missing) levels present in model order: `levels`, else `GROUPINGS`, else alphabetical."""
    found = {str(v) for v in present if v is not None}
    order = levels if levels is not None else GROUPINGS.get(term)
    if order is None:
        return sorted(found)
    return [level for level in order if level in found] + sorted(found - set(order))


def model_matrix(
    data: pl.DataFrame,
    terms: Sequence[str],
    *,
    reference: Mapping[str, str] | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
) -> Design:
    """Return the design for `terms`: indicator columns for categorical terms, numeric columns as is.

    Parameters
    ----------
    data : polars.DataFrame
        One row per observation; every term is a column.
    terms : sequence of str
        Column names, in model order.
    reference : mapping, optional
        Reference level per categorical term (default P1 for netpet_group/netpet_score, else the first level).
    levels : mapping, optional
        Level order per categorical term (default: `GROUPINGS`, else alphabetical).

    Returns
    -------
    Design
    """
    reference = dict(reference or {})
    levels = dict(levels or {})
    sources: list[tuple[pl.Series, str | None]] = []  # per model column: its values and level (None: numeric)
    columns: list[str] = []
    assign: dict[str, list[int]] = {}
    chosen: dict[str, str] = {}
    for term in terms:
        column = data.get_column(term)
        if is_categorical(column.dtype):
            values = column.cast(pl.String)
            found = _ordered_levels(term, _distinct(values), levels.get(term))
            ref = reference.get(term) or DEFAULT_REFERENCE.get(term)
            if ref is None or ref not in found:
                if term in reference:
                    raise AnalysisError(
                        f"reference level {ref!r} of {term} is not in the data ({', '.join(found)})"
                    )
                ref = found[0]
            chosen[term] = ref
            others = [level for level in found if level != ref]
            if not others:
                raise AnalysisError(f"{term} has a single level ({ref}); it cannot enter the model")
            sources += [(values, level) for level in others]
            names = [f"{term}={level}" for level in others]
        else:
            sources.append((column, None))
            names = [term]
        assign[term] = list(range(len(columns), len(columns) + len(names)))
        columns.extend(names)
    return Design(_fill(sources, data.height), columns, assign, chosen)


def _distinct(values: pl.Series) -> list[str | None]:
    """Return the distinct values of a string column (by value_counts: a third of the CPU of polars' unique
    on a cold cache, as a fit finds it after its Newton steps, issue 21)."""
    return values.rename("level").value_counts(name="count").to_series(0).to_list()


def _fill(sources: Sequence[tuple[pl.Series, str | None]], rows: int) -> np.ndarray:
    """Write the model columns into one matrix: numbers as floats, a level as its 0/1 indicator (missing: 0).

    Series operations only (polars compares the strings; a numpy object array's == is three times slower),
    written in place: no query plan, no stacking of the columns (issue 21)."""
    matrix = np.empty((rows, len(sources)))
    for j, (values, level) in enumerate(sources):
        if level is None:
            matrix[:, j] = values.cast(pl.Float64).to_numpy()
        else:
            hit = values.eq(level)
            matrix[:, j] = (hit.fill_null(False) if hit.null_count() else hit).to_numpy()
    return matrix
