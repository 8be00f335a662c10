"""Read lesion tracking and score explanations: which lesions are new, changed or resolved, and why.

The tracking rule (lesions matched by `lesion_id` across a patient's read timepoints; status baseline,
new, persisting, changed, resolved) lives in `sql/views/13_lesion_changes.sql`; disagreements between
recorded and derived scores in `sql/views/12_score_disagreements.sql`. Lesion classes come from view
`lesion_classes`, the SQL twin of `netpet.registry.scoring.lesion_class` (tests check that they agree). This
module only reads, and returns polars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.errors import RegistryError

if TYPE_CHECKING:
    from netpet.registry.db import Registry


def lesion_changes(reg: Registry, patient_id: str | None = None) -> pl.DataFrame:
    """Return the lesion tracking rows of one patient (or all), in timeline order.

    Parameters
    ----------
    reg : Registry
        An open registry.
    patient_id : str, optional
        Restrict to this patient.

    Returns
    -------
    polars.DataFrame
        The columns of view `lesion_changes`: patient_id, timepoint_number, timepoint_id, timepoint_date,
        lesion_id, location, lesion_class, class_score, previous_class, status, change, sets_score.
    """
    return reg.query_file("queries", "lesion_changes", {"patient_id": patient_id})


def score_disagreements(reg: Registry, patient_id: str | None = None) -> pl.DataFrame:
    """Return the timepoints whose recorded score differs from the derived one, with explaining lesions."""
    return reg.query_file("queries", "score_disagreements", {"patient_id": patient_id})


def patient_timeline(reg: Registry, patient_id: str) -> pl.DataFrame:
    """Return one patient's timepoints with their recorded, derived and used scores and tracked lesions.

    Parameters
    ----------
    reg : Registry
        An open registry.
    patient_id : str
        The patient's registry ID.

    Returns
    -------
    polars.DataFrame
        One row per timepoint x tracked lesion (one row with null lesion columns for a timepoint without
        reads): timepoint_number, timepoint_id, timepoint_date, recorded_score, derived_score, p4_subclass,
        score, score_origin, netpet_group, lesion_id, location, lesion_class, previous_class, status,
        change, sets_score.

    Raises
    ------
    RegistryError
        When the registry holds no patient `patient_id`.
    """
    if reg.query_file("queries", "patient_exists", {"patient_id": patient_id})["n"][0] == 0:
        raise RegistryError(f"no patient {patient_id} in the registry (IDs are case-sensitive)")
    return reg.query_file("queries", "patient_timeline", {"patient_id": patient_id})
