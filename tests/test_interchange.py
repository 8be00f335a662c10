"""Round trip: generated valid tables -> import -> write_interchange -> import gives back the same tables."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpet.registry import Registry
from netpet.registry.columns import (
    COMPARISONS,
    LOCATIONS,
    OUTCOMES,
    PRIMARY_SITES,
    SEXES,
    SSTR_TRACERS,
    STOP_REASONS,
    TABLES,
    TREATMENTS,
    WHO_GRADES,
)
from netpet.registry.ingest import import_folder
from netpet.registry.interchange import interchange_table, write_interchange

DTYPES = {
    "text": pl.String,
    "enum": pl.String,
    "date": pl.Date,
    "number": pl.Float64,
    "integer": pl.Int64,
    "boolean": pl.Boolean,
    "score": pl.Int64,
}
SCHEMAS = {t.name: {c.name: DTYPES[c.kind] for c in t.columns} for t in TABLES}

texts = st.text(alphabet="abcXYZ09 ,\"'-_é", min_size=1, max_size=8).filter(lambda s: s == s.strip())
finite = {"allow_nan": False, "allow_infinity": False}


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def registries(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    """Draw small tables that satisfy every rule of the format (dates ordered, scans paired)."""
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    for p in range(draw(st.integers(1, 3))):
        pid = f"P{p}"
        diagnosis = date(2000, 1, 1) + timedelta(days=draw(st.integers(0, 3000)))
        rows["patients"].append(
            {
                "patient_id": pid,
                "site": draw(maybe(texts)),
                "sex": draw(maybe(st.sampled_from(SEXES))),
                "birth_date": draw(
                    maybe(st.integers(0, 20000).map(lambda d, x=diagnosis: x - timedelta(days=d)))
                ),
                "diagnosis_date": diagnosis,
                "primary_site": draw(st.sampled_from(PRIMARY_SITES)),
                "who_grade": draw(maybe(st.sampled_from(WHO_GRADES))),
                "ki67_percent": draw(maybe(st.floats(0, 100, **finite))),
            }
        )
        last = diagnosis
        for t in range(draw(st.integers(0, 2))):
            sstr = last + timedelta(days=draw(st.integers(0, 400)))
            fdg = sstr + timedelta(days=draw(st.integers(-31, 31)))
            tid, sid, fid = f"{pid}T{t}", f"{pid}S{t}a", f"{pid}S{t}b"
            rows["pet_scans"] += [
                {
                    "scan_id": sid,
                    "patient_id": pid,
                    "tracer": draw(st.sampled_from(SSTR_TRACERS)),
                    "scan_date": sstr,
                },
                {"scan_id": fid, "patient_id": pid, "tracer": "fdg", "scan_date": fdg},
            ]
            rows["timepoints"].append(
                {
                    "timepoint_id": tid,
                    "patient_id": pid,
                    "sstr_scan_id": sid,
                    "fdg_scan_id": fid,
                    "netpet_score": draw(maybe(st.integers(0, 5))),
                }
            )
            for lesion in range(draw(st.integers(0, 2))):
                sstr_avid, fdg_avid = draw(st.booleans()), draw(st.booleans())
                comparison = st.sampled_from(COMPARISONS)
                rows["lesion_reads"].append(
                    {
                        "timepoint_id": tid,
                        "lesion_id": f"L{lesion}",
                        "location": draw(st.sampled_from(LOCATIONS)),
                        "sstr_suvmax": draw(maybe(st.floats(0, 1e4, **finite))),
                        "fdg_suvmax": draw(maybe(st.floats(0, 1e4, **finite))),
                        "sstr_avid": sstr_avid,
                        "fdg_avid": fdg_avid,
                        "fdg_vs_sstr": draw(comparison if sstr_avid and fdg_avid else maybe(comparison)),
                    }
                )
            last = max(sstr, fdg)
        if draw(st.booleans()):
            start = diagnosis + timedelta(days=draw(st.integers(0, 500)))
            end = draw(maybe(st.integers(0, 300).map(lambda d, s=start: s + timedelta(days=d))))
            rows["treatments"].append(
                {
                    "treatment_id": f"{pid}R",
                    "patient_id": pid,
                    "treatment": draw(st.sampled_from(TREATMENTS)),
                    "start_date": start,
                    "end_date": end,
                    "cycles": draw(maybe(st.integers(1, 8))),
                    "activity_gbq": draw(maybe(st.floats(0.001, 100, **finite))),
                    "stop_reason": draw(maybe(st.sampled_from(STOP_REASONS))),
                }
            )
            last = max(last, end or start)
        # A death must come last: nothing may be dated after it.
        for outcome in sorted(
            draw(st.lists(st.sampled_from(OUTCOMES), unique=True)), key=lambda o: o == "death"
        ):
            last = last + timedelta(days=draw(st.integers(1, 100)))
            rows["outcomes"].append(
                {"patient_id": pid, "outcome": outcome, "outcome_date": last, "detail": draw(maybe(texts))}
            )
    return {name: pl.DataFrame(r, schema=SCHEMAS[name], orient="row") for name, r in rows.items()}


def write_site_folder(tables: dict[str, pl.DataFrame], folder: Path, fmt: str) -> None:
    for name, frame in tables.items():
        if fmt == "csv":
            frame.write_csv(folder / f"{name}.csv")
        else:
            frame.write_parquet(folder / f"{name}.parquet")


def registry_tables(reg: Registry) -> dict[str, pl.DataFrame]:
    return {t.name: interchange_table(reg, t.name) for t in TABLES}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=registries(), fmt=st.sampled_from(["csv", "parquet"]))
def test_import_then_write_interchange_round_trips(
    backend: str, registry_templates, tables: dict[str, pl.DataFrame], fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        write_site_folder(tables, root / "site", fmt)
        with Registry.open(registry_templates.copy(backend, root / "a")) as first:
            import_folder(first, root / "site")
            written = write_interchange(first, root / "out", fmt=fmt)
            exported = registry_tables(first)
        with Registry.open(registry_templates.copy(backend, root / "b")) as second:
            import_folder(second, root / "out")
            again = registry_tables(second)
    assert [p.name for p in written] == [f"{t.name}.{fmt}" for t in TABLES]
    for name, frame in tables.items():
        key = list(next(t for t in TABLES if t.name == name).key)
        assert exported[name].cast(SCHEMAS[name]).equals(frame.sort(key)), name
        assert again[name].equals(exported[name]), name
        assert again[name].schema == exported[name].schema, name
