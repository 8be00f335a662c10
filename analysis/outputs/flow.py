"""The cohort flow (CONSORT) table of an analysis: the registry, each selection step, the patients analysed.

Shared by `netpet report` (table and figure) and its shareable form (`netpet.analysis.outputs.shareable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from netpet.registry import Registry

#: survival_frame / km_report exclusion reason -> step of the flow diagram at which it applies.
_FLOW_STEP = {"no dual-PET timepoint": 1, "no NETPET score": 2, "P0 (no measurable disease)": 2,
              "impossible follow-up": 3, "no follow-up after entry": 3}


def flow_table(
    reg: Registry, excluded: Mapping[str, int], *, by: str = "netpet_group", cohort: str | None = None
) -> pl.DataFrame:
    """Return the cohort flow (CONSORT) table: the registry, each selection step, and the patients analysed.

    Without a cohort the steps are: patients in the registry, with a dual-PET timepoint, with a group
    (scored), with follow-up, analysed. With a saved cohort its own attrition steps come first, then the
    same analysis steps among its members.

    Parameters
    ----------
    reg : Registry
        The registry the analysis read.
    excluded : mapping of str to int
        Patients left out by reason, as `SurvivalData.excluded` or `KMReport.excluded`; reasons not tied
        to an earlier step (missing covariates) are shown at the last step.
    by : str
        The grouping, naming the "scored" step.
    cohort : str, optional
        A saved cohort whose attrition starts the flow.

    Returns
    -------
    pl.DataFrame
        step, label, remaining, excluded, reason: the input of `netpet.analysis.outputs.figures.cohort_flow`, one row
        per exclusion reason (a step without exclusions has one row, excluded 0 and no reason). After a
        cohort's steps, analysis steps that exclude nobody are left out, but for the last.
    """
    rows = _cohort_steps(reg, cohort) if cohort else [(0, "Patients in the registry", _patient_count(reg), [])]
    first = len(rows)
    grouped = "Scored (NETPET P1–P5)" if by == "netpet_group" else (
        "Scored (NETPET P0–P5)" if by == "netpet_score" else f"With {by.replace('_', ' ')}")
    labels = ["With a dual-PET timepoint", grouped, "With follow-up", "Analysed"]
    reasons: list[list[tuple[int, str | None]]] = [[] for _ in labels]
    for reason, n in excluded.items():
        at = _FLOW_STEP.get(reason, 2 if reason == f"no {by}" else 4)
        reasons[at - 1].append((n, reason))
    remaining, step = rows[-1][2], first
    for i, label in enumerate(labels):
        # A cohort's own criteria already select patients: its analysis steps show only where some left.
        if cohort and not reasons[i] and label != labels[-1]:
            continue
        remaining -= sum(n for n, _ in reasons[i])
        rows.append((step, label, remaining, reasons[i]))
        step += 1
    return pl.DataFrame(
        [(step, label, left, n, reason) for step, label, left, out in rows for n, reason in (out or [_NONE_LEFT])],
        schema={"step": pl.Int64, "label": pl.String, "remaining": pl.Int64, "excluded": pl.Int64,
                "reason": pl.String},
        orient="row",
    )


_NONE_LEFT: tuple[int, str | None] = (0, None)  # a flow step nobody left at


def _patient_count(reg: Registry) -> int:
    from netpet.registry.cohorts import registry_state

    return int(registry_state(reg)["patients"])


def _cohort_steps(reg: Registry, cohort: str) -> list[tuple[int, str, int, list[tuple[int, str | None]]]]:
    """The saved cohort's attrition as flow steps: box label, remaining, and why the removed left."""
    from netpet.analysis.outputs.tables import LABELS
    from netpet.registry.cohorts import attrition

    steps = []
    for row in attrition(reg, cohort).iter_rows(named=True):
        criterion, kind = row["criterion"], row["kind"]
        if kind == "registry":
            label, why = "Patients in the registry", None
        elif kind == "entry":
            event = criterion.removeprefix("entry event: ")
            label, why = f"Cohort {cohort}, entry: {event}", f"no {event}"
        elif kind == "exclude":
            rest = criterion.removeprefix("exclude ")
            label, why = f"Without {rest}", rest
        else:
            column, space, rest = criterion.partition(" ")
            criterion = LABELS.get(column, column) + space + rest
            lower = criterion[:1].lower() + criterion[1:] if criterion[1:2].islower() else criterion
            label, why = criterion[:1].upper() + criterion[1:], f"not {lower}"
        # Column and treatment names read as words (and wrap between them) in the boxes.
        label, why = label.replace("_", " "), why and why.replace("_", " ")
        steps.append((row["step"], label, row["remaining"], [(row["removed"], why)] if row["removed"] else []))
    return steps
