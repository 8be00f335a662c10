"""Which rows an analysis reads: a plain, landmark, after-treatment or time-varying selection, with its rules.

The commands choose among these by their options; the rules of each (a landmark or after-treatment analysis
groups by the NETPET group in force at time zero; a time-varying model follows the score over time for overall
survival from the first timepoint) live here, so the library and the CLI refuse the same combinations. Messages
name the arguments in backticks (`by`); the CLI shows them as its flags (--by).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from netpet.analysis.errors import ArgumentError
from netpet.analysis.studies.frames import SurvivalData, survival_frame
from netpet.analysis.studies.longitudinal import landmark_frame, time_varying_frame, treatment_outcomes
from netpet.analysis.vocabulary import SCORE_GROUPINGS

if TYPE_CHECKING:
    import polars as pl

    from netpet.registry import Registry


def km_selection(
    reg: Registry,
    *,
    by: str | None = "netpet_group",
    endpoint: str = "os",
    origin: str = "first-timepoint",
    time_unit: str = "months",
    landmark: float | None = None,
    from_treatment: str | None = None,
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return the rows of a plain, landmark (`landmark`) or after-treatment (`from_treatment`) KM analysis."""
    if landmark is None and from_treatment is None:
        return survival_frame(reg, endpoint=endpoint, origin=origin, time_unit=time_unit,
                              by=None if by in (None, "none") else by, patients=patients)
    if landmark is not None and from_treatment is not None:
        raise ArgumentError("give `landmark` or `from_treatment`, not both")
    if by != "netpet_group" or origin != "first-timepoint":
        raise ArgumentError("`landmark` and `from_treatment` group by the NETPET group in force at time zero: "
                            "leave `by` and `origin` at their defaults")
    if landmark is not None:
        return landmark_frame(reg, landmark, time_unit=time_unit, endpoint=endpoint, patients=patients)
    return treatment_outcomes(reg, treatment=str(from_treatment), endpoint=endpoint, time_unit=time_unit,
                              patients=patients)


def cox_selection(
    reg: Registry,
    *,
    by: str = "netpet_group",
    covariates: Sequence[str] = (),
    strata: str | None = None,
    cluster: str | None = None,
    endpoint: str = "os",
    origin: str = "first-timepoint",
    time_unit: str = "months",
    time_varying: bool = False,
    patients: pl.DataFrame | None = None,
) -> SurvivalData:
    """Return the rows of a Cox model: one per patient, or (start, stop] intervals of the score over time.

    The `strata` and `cluster` columns are read beside the covariates (they enter the model otherwise).
    """
    extra = [c for c in (strata, cluster) if c and c not in covariates and c not in (by, "patient_id")]
    columns = [*covariates, *extra]
    if not time_varying:
        return survival_frame(reg, endpoint=endpoint, origin=origin, time_unit=time_unit, by=by,
                              covariates=columns, patients=patients)
    if endpoint != "os" or origin != "first-timepoint":
        raise ArgumentError("`time_varying` models overall survival from the first timepoint: "
                            "leave `endpoint` and `origin` at their defaults")
    if by not in SCORE_GROUPINGS:
        raise ArgumentError(f"`time_varying` needs `by` {' or '.join(SCORE_GROUPINGS)} (the score over time)")
    return time_varying_frame(reg, by=by, time_unit=time_unit, covariates=columns, patients=patients)
