"""Cohort definitions: the YAML schema (docs/cohorts.md) checked against fixed whitelists, as frozen values.

`parse_definition` turns a definition (entry event, inclusion and exclusion criteria, end of follow-up) into a
`CohortDefinition` or raises `CohortError` naming the key at fault; nothing here touches the registry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netpet.registry.columns import PRIMARY_SITES, SEXES, TREATMENTS, WHO_GRADES
from netpet.registry.errors import RegistryError

if TYPE_CHECKING:
    pass

class CohortError(RegistryError):
    """A cohort definition is invalid, or a named cohort is unknown or already exists."""


#: entry event -> (sql/cohorts file that starts the build, label for the attrition table).
ENTRY_EVENTS: dict[str, tuple[str, str]] = {
    "first_dual_pet": ("entry_first_dual_pet", "first dual-PET timepoint"),
    "first_prrt": ("entry_first_prrt", "first PRRT (Lu-177 DOTATATE) course"),
    "diagnosis": ("entry_diagnosis", "diagnosis"),
}

#: The whitelist: the only SQL expressions a definition can reach, over the candidates `c` (the entry
#: date and the patient columns, see sql/cohorts/entry_*.sql).
#: Criteria testing membership in a list of values -> (expression, allowed values or None for free text).
CHOICE_CRITERIA: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "primary_site": ("c.primary_site", PRIMARY_SITES),
    "who_grade": ("c.who_grade", WHO_GRADES),
    "sex": ("c.sex", SEXES),
    "site": ("c.site", None),
}
#: Criteria testing a range -> (expression, "number" with min/max keys or "date" with from/to keys).
RANGE_CRITERIA: dict[str, tuple[str, str]] = {
    "ki67_percent": ("c.ki67_percent", "number"),
    "age_at_entry": ("date_diff('day', c.birth_date, c.entry_date) / 365.25", "number"),
    "entry_period": ("c.entry_date", "date"),
    "diagnosis_period": ("c.diagnosis_date", "date"),
}
#: Criterion fragments that read timepoints; a build using one reads timepoint_scores once, up front.
TIMEPOINT_FRAGMENTS = ("score_at_entry", "timepoint_in_window")
EVENT_CRITERIA = ("score_at_entry", "dual_pet", "treatment")
CRITERIA = tuple(sorted((*CHOICE_CRITERIA, *RANGE_CRITERIA, *EVENT_CRITERIA)))

#: `when` -> the window in days from entry (negative = before) as a function of `within_days`.
WINDOWS: dict[str, Callable[[int], tuple[int, int]]] = {
    "before": lambda n: (-n, -1),
    "on_or_before": lambda n: (-n, 0),
    "after": lambda n: (1, n),
    "on_or_after": lambda n: (0, n),
    "any": lambda n: (-n, n),
}
NO_LIMIT_DAYS = 1_000_000  # about 2,700 years: a window without `within_days`
SCORE_GROUPS = {"P1": (1,), "P2-4": (2, 3, 4), "P5": (5,)}
TOP_KEYS = ("description", "entry", "end_of_followup", "include", "exclude")
COHORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SQL_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Criterion:
    """One checked criterion: the SQL fragment it uses, its whitelisted column and its bound values."""

    kind: str
    label: str
    fragment: str
    column: str
    params: Mapping[str, Any]
    canonical: Any


@dataclass(frozen=True)
class CohortDefinition:
    """A checked cohort definition; `text` is the YAML as given, `sha256` the hash of its meaning."""

    entry_event: str
    end_of_followup: date | None
    include: tuple[Criterion, ...]
    exclude: tuple[Criterion, ...]
    description: str
    text: str

    @property
    def sha256(self) -> str:
        """Hash of the normalised definition: comments, layout and description do not change it."""
        canonical = {
            "entry": self.entry_event,
            "end_of_followup": self.end_of_followup.isoformat() if self.end_of_followup else None,
            "include": [{c.kind: c.canonical} for c in self.include],
            "exclude": [{c.kind: c.canonical} for c in self.exclude],
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Step:
    """One SQL statement of a cohort build, with its parameters and its line in the attrition table."""

    kind: str
    label: str
    sql: str
    params: Mapping[str, Any]


# -- parsing ----------------------------------------------------------------------------------------------
def parse_definition(source: str | Path | Mapping[str, Any]) -> CohortDefinition:
    """Read and check a cohort definition: a YAML file (`Path`), YAML text (`str`) or a parsed mapping.

    Parameters
    ----------
    source
        The definition. Its schema is in `docs/cohorts.md`.

    Returns
    -------
    CohortDefinition
        The checked definition. Unknown keys, criteria and values raise `CohortError` naming what is allowed.
    """
    import yaml  # here, not at the top: every command imports this module, few read a definition

    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
    elif isinstance(source, str):
        text = source
    else:
        text = yaml.safe_dump(dict(source), sort_keys=False)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CohortError(f"cohort definition is not valid YAML: {exc}") from None
    except ValueError as exc:  # PyYAML reads 2012-13-01 as a date and fails
        raise CohortError(f"cohort definition holds an impossible date: {exc}") from None
    if not isinstance(raw, dict):
        raise CohortError("a cohort definition is a mapping with keys " + ", ".join(TOP_KEYS))
    _check_keys(raw, TOP_KEYS, "cohort definition")
    entry = raw.get("entry", "first_dual_pet")
    if not isinstance(entry, str) or entry not in ENTRY_EVENTS:
        raise CohortError(f"unknown entry event {entry!r}; allowed: {', '.join(ENTRY_EVENTS)}")
    end = raw.get("end_of_followup")
    return CohortDefinition(
        entry_event=entry,
        end_of_followup=_date(end, "end_of_followup") if end is not None else None,
        include=tuple(_criteria(raw.get("include"), "include")),
        exclude=tuple(_criteria(raw.get("exclude"), "exclude")),
        description=str(raw.get("description") or ""),
        text=text,
    )


def _check_keys(raw: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in raw if k not in allowed]
    if unknown:
        raise CohortError(f"unknown key {unknown[0]!r} in {where}; allowed: {', '.join(allowed)}")


def _criteria(items: object, section: str) -> Iterator[Criterion]:
    if items is None:
        return
    if not isinstance(items, list):
        raise CohortError(f"{section} is a list of criteria, each a one-key mapping like `- who_grade: [G2]`")
    for i, item in enumerate(items):
        where = f"{section}[{i}]"
        if not isinstance(item, dict) or len(item) != 1:
            raise CohortError(f"{where} must be a mapping with one criterion, e.g. `- who_grade: [G2]`")
        (kind, value), = item.items()
        if kind not in CRITERIA:
            raise CohortError(f"unknown criterion {kind!r} in {where}; allowed: {', '.join(CRITERIA)}")
        yield _criterion(kind, value, where)


def _criterion(kind: str, value: object, where: str) -> Criterion:
    if kind in CHOICE_CRITERIA:
        column, allowed = CHOICE_CRITERIA[kind]
        values = _choices(value, allowed, f"{kind} in {where}")
        label = f"{kind} in ({', '.join(values)})"
        return Criterion(kind, label, "patient_in", column, {"values": values}, values)
    if kind in RANGE_CRITERIA:
        return _range(kind, value, where)
    if kind == "score_at_entry":
        scores = _scores(value, f"score_at_entry in {where}")
        label = f"score at entry in ({', '.join(f'P{s}' for s in scores)})"
        return Criterion(kind, label, "score_at_entry", "", {"scores": scores}, scores)
    return _window(kind, value, where)


def _choices(value: object, allowed: tuple[str, ...] | None, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or any(not isinstance(v, str | int | float) or isinstance(v, bool) for v in items):
        raise CohortError(f"{where}: give one value or a list of values")
    if allowed is None:
        return [str(v) for v in items]
    canonical = {a.lower(): a for a in allowed}
    out = []
    for v in items:
        if str(v).strip().lower() not in canonical:
            raise CohortError(f"{where}: unknown value {str(v)!r}; allowed: {', '.join(allowed)}")
        out.append(canonical[str(v).strip().lower()])
    return out


def _range(kind: str, value: object, where: str) -> Criterion:
    column, value_kind = RANGE_CRITERIA[kind]
    low_key, high_key = ("min", "max") if value_kind == "number" else ("from", "to")
    if not isinstance(value, dict) or not value:
        raise CohortError(f"{kind} in {where} is a mapping with {low_key} and/or {high_key}")
    _check_keys(value, (low_key, high_key), f"{kind} in {where}")
    read = _number if value_kind == "number" else _date
    low = read(value[low_key], f"{kind}.{low_key}") if value.get(low_key) is not None else None
    high = read(value[high_key], f"{kind}.{high_key}") if value.get(high_key) is not None else None
    if low is not None and high is not None and low > high:  # type: ignore[operator]
        raise CohortError(f"{kind} in {where}: {low_key} {low} is after {high_key} {high}")
    params = {
        "low": low if low is not None else (float("-inf") if value_kind == "number" else date.min),
        "high": high if high is not None else (float("inf") if value_kind == "number" else date.max),
    }
    label = kind + (f" from {_plain(low)}" if low is not None else "") + (
        (" to " if low is not None else " up to ") + str(_plain(high)) if high is not None else ""
    )
    canonical = {low_key: _plain(low), high_key: _plain(high)}
    return Criterion(kind, label, "patient_between", column, params, canonical)


def _window(kind: str, value: object, where: str) -> Criterion:
    allowed = ("types", "when", "within_days") if kind == "treatment" else ("when", "within_days", "scores")
    if not isinstance(value, dict):
        raise CohortError(f"{kind} in {where} is a mapping with keys {', '.join(allowed)}")
    _check_keys(value, allowed, f"{kind} in {where}")
    when = value.get("when", "any")
    if not isinstance(when, str) or when not in WINDOWS:
        raise CohortError(f"{kind}.when in {where}: unknown {when!r}; allowed: {', '.join(WINDOWS)}")
    days = value.get("within_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
        raise CohortError(f"{kind}.within_days in {where} must be a whole number of days >= 0")
    first, last = WINDOWS[when](NO_LIMIT_DAYS if days is None else days)
    window = _window_label(when, days)
    if kind == "treatment":
        if "types" not in value:
            raise CohortError(f"treatment in {where} needs `types`, a list from: {', '.join(TREATMENTS)}")
        types = _choices(value["types"], TREATMENTS, f"treatment.types in {where}")
        label = f"treatment ({', '.join(types)}) {window}"
        params = {"types": types, "first_day": first, "last_day": last}
        canonical = {"types": types, "when": when, "within_days": days}
        return Criterion(kind, label, "treatment_in_window", "", params, canonical)
    scores = _scores(value["scores"], f"dual_pet.scores in {where}") if "scores" in value else None
    label = f"dual-PET timepoint {window}" + (
        f" scored {', '.join(f'P{s}' for s in scores)}" if scores else ""
    )
    window_params: dict[str, Any] = {"scores": scores, "first_day": first, "last_day": last}
    window_canonical: dict[str, Any] = {"when": when, "within_days": days, "scores": scores}
    return Criterion(kind, label, "timepoint_in_window", "", window_params, window_canonical)


def _window_label(when: str, days: int | None) -> str:
    if when == "any":
        return "at any time" if days is None else f"within {days} days of entry"
    return f"{when.replace('_', ' ')} entry" + (f" within {days} days" if days is not None else "")


def _scores(value: object, where: str) -> list[int]:
    """Read NETPET scores given as 0-5, "P0"-"P5" or a group ("P1", "P2-4", "P5") into sorted integers."""
    items = value if isinstance(value, list) else [value]
    out: set[int] = set()
    for v in items:
        text = str(v).strip().upper()
        if isinstance(v, bool):
            raise CohortError(f"{where}: give scores as 0-5, P0-P5 or P2-4, not {v!r}")
        if text in SCORE_GROUPS:
            out.update(SCORE_GROUPS[text])
        elif text.removeprefix("P") in {"0", "1", "2", "3", "4", "5"}:
            out.add(int(text.removeprefix("P")))
        else:
            raise CohortError(f"{where}: unknown score {str(v)!r}; allowed: 0-5, P0-P5, P2-4")
    if not out:
        raise CohortError(f"{where}: give at least one score")
    return sorted(out)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CohortError(f"{where} must be a number, not {value!r}")
    return float(value)


def _date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CohortError(f"{where} must be a date YYYY-MM-DD, not {value!r}") from None


def _plain(value: object) -> object:
    """Return a bound as JSON-able and readable: dates as ISO text, whole numbers without `.0`."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# -- compiling ----------------------------------------------------------------------------------------------
