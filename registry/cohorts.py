"""Cohorts: named, saved subsets of the registry built from a YAML definition, with their attrition.

A definition (schema in `docs/cohorts.md`) names an entry event, inclusion and exclusion criteria and an
optional end of follow-up. `parse_definition` checks it against fixed whitelists; `compile_definition`
turns it into set-based SQL steps assembled from `sql/cohorts/` fragments, every value bound as a
parameter; `build_cohort` runs the steps in one transaction and saves the members, the definition, its
hash, the registry state and the attrition. Analyses restrict themselves to a cohort with
`cohort_members`; writing a cohort's views to files is `netpet.registry.export`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from netpet.registry.cohort_definitions import (
    COHORT_NAME,
    ENTRY_EVENTS,
    SQL_PARAMETER,
    TIMEPOINT_FRAGMENTS,
    CohortDefinition,
    CohortError,
    Step,
    parse_definition,
)
from netpet.registry.errors import RegistryError
from netpet.registry.sqlfiles import read_sql

if TYPE_CHECKING:
    from netpet.registry.db import Registry

def compile_definition(definition: CohortDefinition) -> list[Step]:
    """Return the SQL steps that build a cohort: the entry, each criterion in order, then censoring.

    Column expressions come only from the whitelists above; every value is a bound `$pN` parameter.
    """
    entry_file, entry_label = ENTRY_EVENTS[definition.entry_event]
    steps = []
    if definition.entry_event == "first_dual_pet" or any(
        c.fragment in TIMEPOINT_FRAGMENTS for c in (*definition.include, *definition.exclude)
    ):
        steps.append(Step("prepare", "read timepoints", _fragment("prepare_timepoints"), {}))
    steps.append(Step("entry", f"entry event: {entry_label}", _fragment(entry_file), {}))
    numbers = itertools.count(1)
    for kind, wrapper, criteria in (
        ("include", "keep_matching", definition.include),
        ("exclude", "drop_matching", definition.exclude),
    ):
        for crit in criteria:
            params = dict(crit.params)
            if crit.fragment == "score_at_entry":  # for PRRT entry the score is the last one before treatment
                params["last_day"] = -1 if definition.entry_event == "first_prrt" else 0
            fragment = _fragment(crit.fragment).replace("{column}", crit.column)
            predicate, bound = _bind(fragment, params, numbers)
            label = crit.label if kind == "include" else f"exclude {crit.label}"
            steps.append(Step(kind, label, _fragment(wrapper).replace("{predicate}", predicate), bound))
    if definition.end_of_followup is not None:
        label = f"entry on or before end of follow-up {definition.end_of_followup.isoformat()}"
        sql = _fragment("censor_late_entry")
        steps.append(Step("censoring", label, sql, {"end_of_followup": definition.end_of_followup}))
    return steps


def _fragment(name: str) -> str:
    """Return `sql/cohorts/<name>.sql` without its comment lines or final semicolon, ready to combine."""
    lines = [ln for ln in read_sql("cohorts", name).splitlines() if not ln.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def _bind(sql: str, params: Mapping[str, Any], numbers: Iterator[int]) -> tuple[str, dict[str, Any]]:
    """Rename a fragment's `$name` parameters to unique `$pN` so that fragments can repeat in one build."""
    renamed = {name: f"p{next(numbers)}" for name in dict.fromkeys(SQL_PARAMETER.findall(sql))}
    missing = set(renamed) - set(params)
    if missing:  # pragma: no cover - a fragment and its criterion disagree: a bug, not a user error
        raise RegistryError(f"cohort fragment needs parameters {sorted(missing)}")
    text = SQL_PARAMETER.sub(lambda m: "$" + renamed[m.group(1)], sql)
    return text, {renamed[name]: params[name] for name in renamed}


# -- building and reading saved cohorts -------------------------------------------------------------------
def build_cohort(
    reg: Registry,
    definition: CohortDefinition | str | Path | Mapping[str, Any],
    name: str,
    *,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> pl.DataFrame:
    """Build and save cohort `name` from a definition, in one transaction; return its attrition.

    Parameters
    ----------
    reg
        A registry open for writing.
    definition
        A `CohortDefinition`, a YAML file (`Path`), YAML text or a parsed mapping.
    name
        The cohort's name: letters, digits, `_`, `.`, `-` (at most 64).
    replace
        Replace a saved cohort of the same name instead of refusing.
    progress
        Called as `progress("criteria", done, total)` as each step of the definition starts.

    Returns
    -------
    pl.DataFrame
        The attrition: step, kind, criterion, remaining, removed (see `attrition`).
    """
    defn = definition if isinstance(definition, CohortDefinition) else parse_definition(definition)
    check_cohort_name(name)
    steps = compile_definition(defn)
    state = registry_state(reg)
    with reg.transaction() as con:
        if _exists(reg, name):
            if not replace:
                raise CohortError(
                    f"cohort {name!r} already exists; rebuild it (replace=True) or drop it", fix="replace"
                )
            _delete(con, name)
        rows = _run_steps(con, steps, state["patients"], progress)
        _execute(con, "insert_members", {"name": name, "end_of_followup": defn.end_of_followup})
        _execute(con, "insert_cohort", {
            "name": name, "definition": defn.text, "definition_sha256": defn.sha256,
            "registry_state": json.dumps(state), "entry_event": defn.entry_event,
            "end_of_followup": defn.end_of_followup,
        })
        for row in rows:
            _execute(con, "insert_attrition", {"name": name, **row})
        con.execute(_fragment("drop_candidates"))
        con.execute(_fragment("drop_timepoints"))
    return attrition(reg, name)


def _run_steps(con: duckdb.DuckDBPyConnection, steps: list[Step], patients: int,
               progress: Callable[[str, int, int], None] | None = None) -> list[dict[str, Any]]:
    rows = [{"step": 0, "kind": "registry", "criterion": "patients in the registry",
             "remaining": patients, "removed": 0}]
    remaining = patients
    for done, step in enumerate(steps, start=1):
        if progress is not None:
            progress("criteria", done, len(steps))
        try:
            result = con.execute(step.sql, dict(step.params) or None).fetchone()
            if step.kind == "entry":
                result = con.execute(_fragment("candidate_count")).fetchone()
        except duckdb.Error as exc:
            raise CohortError(f"cohort step '{step.label}' failed: {exc}") from exc
        if step.kind == "prepare":
            continue
        assert result is not None
        removed = remaining - int(result[0]) if step.kind == "entry" else int(result[0])
        remaining -= removed
        rows.append({"step": len(rows), "kind": step.kind, "criterion": step.label,
                     "remaining": remaining, "removed": removed})
    return rows


def _execute(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> None:
    con.execute(_fragment(name), dict(params))


def _exists(reg: Registry, name: str) -> bool:
    return reg.query_file("cohorts", "cohort", {"name": name}).height > 0


def _delete(con: duckdb.DuckDBPyConnection, name: str) -> None:
    for part in ("delete_cohort_members", "delete_cohort_attrition", "delete_cohort"):
        _execute(con, part, {"name": name})


def _require(reg: Registry, name: str) -> pl.DataFrame:
    row = reg.query_file("cohorts", "cohort", {"name": name})
    if row.height == 0:
        known = list_cohorts(reg)["name"].to_list()
        hint = f"saved: {', '.join(known)}" if known else "none saved: build one with `netpet cohort build`"
        raise CohortError(f"no cohort named {name!r}; {hint}")
    return row


def check_cohort_name(name: str) -> None:
    """Refuse a cohort name that is not 1-64 letters, digits, `_`, `.` or `-` (it names export files)."""
    if not COHORT_NAME.match(name):
        raise CohortError(
            f"cohort name {name!r} must be 1-64 letters, digits, '_', '.' or '-', first a letter or digit"
        )


def registry_state(reg: Registry) -> dict[str, Any]:
    """Return the registry state a cohort is built on: last import batch id and clinical table row counts."""
    return reg.query_file("cohorts", "registry_state").to_dicts()[0]


def cohort_members(reg: Registry, name: str) -> pl.DataFrame:
    """Return a saved cohort's members: patient_id, entry_date, end_of_followup_date.

    Pass the frame as `patients=` to `netpet.analysis.studies.frames.survival_frame` to restrict an analysis
    to the cohort.
    """
    _require(reg, name)
    return reg.query_file("cohorts", "cohort_members", {"name": name})


def list_cohorts(reg: Registry) -> pl.DataFrame:
    """Return the saved cohorts, newest first (name, entry_event, end_of_followup_date, member_count, ...)."""
    return reg.query_file("cohorts", "cohorts")


def show_cohort(reg: Registry, name: str) -> pl.DataFrame:
    """Return one saved cohort as a one-row frame, with `is_current`: has the registry not changed since?"""
    row = _require(reg, name)
    current = json.loads(row["registry_state"][0]) == registry_state(reg)
    return row.with_columns(pl.lit(current).alias("is_current"))


def attrition(reg: Registry, name: str) -> pl.DataFrame:
    """Return a saved cohort's attrition: the patients remaining after each step, in order.

    Columns: step (0 = the registry), kind (registry, entry, include, exclude, censoring), criterion (a
    readable label), remaining and removed: the data of the cohort flow diagram.
    """
    _require(reg, name)
    return reg.query_file("cohorts", "cohort_attrition", {"name": name})


def drop_cohort(reg: Registry, name: str) -> None:
    """Delete a saved cohort, its members and its attrition."""
    _require(reg, name)
    with reg.transaction() as con:
        _delete(con, name)
