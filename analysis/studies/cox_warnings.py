"""What R warns about a Cox fit, and which of its estimates every output shows as not estimable.

R's coxph warns when the iterations run out ("Ran out of iterations and did not converge"), when a
coefficient heads to infinity (monotone likelihood: "Loglik converged before variable ...; coefficient may
be infinite"), and gives NA for an aliased column; R still prints the numbers. A pilot site's registry of
seven patients meets all three. The registry's outputs (the `netpet cox` table and JSON, the report's
tables, forest plot and report.md) carry R's warning beside the model and show such estimates as
"not estimable" rather than a hazard ratio of 1e-23 or 4e31.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np

#: What the tables and the forest plot show instead of an estimate that is not estimable.
NOT_ESTIMABLE = "not estimable"


@contextmanager
def fit_warnings() -> Iterator[list[str]]:
    """Collect the warnings a fit raises (R's, as UserWarnings) instead of printing them; pass others on."""
    collected: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield collected
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            collected.append(str(warning.message))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    collected[:] = list(dict.fromkeys(collected))


def estimable(
    columns: Sequence[str], coef: np.ndarray, var: np.ndarray, *, converged: bool, notes: Sequence[str]
) -> list[bool]:
    """Say per model column whether its estimate is defined: the fit converged, the coefficient and its
    standard error are finite (R: not NA), the variance is positive, and no warning names it as infinite."""
    if not converged:
        return [False] * len(columns)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(var))
    named = {c for c in columns if any(_names(note, c) for note in notes)}
    return [bool(np.isfinite(b) and np.isfinite(s) and s > 0) and c not in named
            for c, b, s in zip(columns, coef, se, strict=True)]


def _names(note: str, column: str) -> bool:
    """Whether an R-style warning ("... before variable X; coefficient may be infinite") names `column`."""
    return f"variable {column};" in note and "infinite" in note


def estimable_row(row: Mapping[str, object]) -> bool:
    """Whether a coefficient row (of `cox_summary`'s terms) has an estimate to show: marked estimable, with
    a finite, positive hazard ratio and limits and a p value in [0, 1]."""
    if row.get("estimable") is False:
        return False
    values = [row.get(k) for k in ("hr", "hr_lower", "hr_upper", "p")]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return False
    hr, lower, upper, p = (float(v) for v in values)  # type: ignore[arg-type]
    return 0 < lower <= hr <= upper and 0 <= p <= 1
