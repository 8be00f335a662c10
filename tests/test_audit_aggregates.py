"""The audit's SQL aggregates (sql/queries/audit_*) equal a straightforward Python count of the same rows."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import timedelta

import pytest

from netpet.analysis.outputs.audit_report import TREATMENT_WINDOW_DAYS, _practice_frames
from netpet.analysis.outputs.audit_tables import FIELDS
from tests.audit_fixtures import AS_OF, run_script, seed_cohort

#: On top of the cohort: a patient without a site, scans after the audit date, and delays tied within a site
#: and a year, so that groups have even counts (median between two values) and ties.
EXTRA = """
insert into import_batches (batch_id, imported_at, operator, command, source)
    values (9, '2021-01-11 08:00:00', 'test', 'import', 'z');
insert into patients values ('Z01', null, null, null, '2020-01-01', 'unknown', null, null, 9),
    ('Z02', null, 'male', '1950-01-01', '2020-02-01', 'pancreas', 'G1', 3, 9);
insert into pet_scans values
    ('ZS1', 'Z01', 'ga68_dotatate', '2021-01-01', 9), ('ZF1', 'Z01', 'fdg', '2021-01-01', 9),
    ('ZS2', 'Z01', 'ga68_dotatate', '2021-01-04', 9), ('ZF2', 'Z01', 'fdg', '2021-01-07', 9),
    ('ZS3', 'Z02', 'ga68_dotatate', '2021-01-04', 9), ('ZF3', 'Z02', 'fdg', '2026-03-01', 9);
insert into timepoints values ('ZT1', 'Z01', 'ZS1', 'ZF1', null, 9), ('ZT2', 'Z01', 'ZS2', 'ZF2', 5, 9);
insert into treatments values
    ('ZR1', 'Z01', 'prrt_lu177_dotatate', '2021-01-07', null, null, null, null, 9),
    ('ZR2', 'Z01', 'ssa_octreotide', '2021-01-07', null, null, null, null, 9)
"""


@pytest.fixture(scope="module")
def cohort(backend, registry_templates, tmp_path_factory):
    """The three-site cohort plus `EXTRA`, opened read-only as the audit opens it."""
    from netpet.registry import Registry

    def fill(reg) -> None:
        seed_cohort(reg)
        run_script(reg, EXTRA)

    path = registry_templates.copy(backend, tmp_path_factory.mktemp("aggregates"), fill)
    with Registry.open(path, read_only=True) as reg:
        yield reg


def _rows(reg, table: str) -> list[dict]:
    return reg.query(f"select * from {table}").to_dicts()


def test_registration_delays_count_scans_patients_and_the_median_per_group(cohort):
    sites = {p["patient_id"]: p["site"] or "unknown" for p in _rows(cohort, "patients")}
    imported = {b["batch_id"]: b["imported_at"].date() for b in _rows(cohort, "import_batches")}
    groups: dict[tuple[str, object], list[tuple[str, int]]] = defaultdict(list)
    for scan in _rows(cohort, "pet_scans"):
        if scan["scan_date"] > AS_OF or scan["batch_id"] not in imported or scan["patient_id"] not in sites:
            continue
        delay = (imported[scan["batch_id"]] - scan["scan_date"]).days
        for key in (("site", sites[scan["patient_id"]]), ("scan_year", scan["scan_date"].year), ("total", None)):
            groups[key].append((scan["patient_id"], delay))
    expected = {
        key: (len(rows), len({p for p, _ in rows}), float(statistics.median(d for _, d in rows)))
        for key, rows in groups.items()
    }
    frame = cohort.query_file("queries", "audit_registration_delays", {"as_of": AS_OF})
    got = {
        (row["breakdown"], row["site"] if row["breakdown"] == "site" else row["scan_year"]):
            (row["scans"], row["patients"], row["median_delay_days"])
        for row in frame.iter_rows(named=True)
    }
    assert got == expected
    assert any(m % 1 for _, _, m in expected.values())  # some group has an even count between two values


def test_patient_fields_count_each_field_per_site_and_year(cohort):
    scored = {
        t["patient_id"]
        for t in _rows(cohort, "timepoint_scores")
        if t["score"] is not None and t["timepoint_date"] <= AS_OF
    }
    expected: dict[tuple[str, object], list[int]] = defaultdict(lambda: [0] * (len(FIELDS) + 1))
    for p in _rows(cohort, "patients"):
        if p["diagnosis_date"] > AS_OF:
            continue
        flags = [p["sex"] is not None, p["birth_date"] is not None, p["primary_site"] != "unknown",
                 p["who_grade"] is not None, p["ki67_percent"] is not None, p["patient_id"] in scored]
        for key in (("site", p["site"] or "unknown"), ("diagnosis_year", p["diagnosis_date"].year)):
            expected[key] = [a + b for a, b in zip(expected[key], [1, *flags], strict=True)]
    frame = cohort.query_file("queries", "audit_patient_fields", {"as_of": AS_OF})
    got = {
        (row["breakdown"], row[row["breakdown"]]): [row["patients"], *(row[c] for c in FIELDS)]
        for row in frame.iter_rows(named=True)
    }
    assert got == dict(expected)


def test_practice_counts_equal_a_count_of_the_rows_they_summarise(cohort):
    params = {"as_of": AS_OF, "window_days": TREATMENT_WINDOW_DAYS}
    cohort.query_file("queries", "audit_treatment_after_timepoint", params)
    try:
        rows = _rows(cohort, "audit_practice")
    finally:
        cohort.query_file("queries", "audit_drop_practice")
    timepoints: dict[tuple, int] = defaultdict(int)
    prrt: dict[tuple, dict[str, bool]] = defaultdict(dict)
    for r in rows:
        timepoints[(r["site"], r["netpet_group"], r["next_treatment"])] += 1
        if r["netpet_group"] in ("P1", "P5"):
            given = prrt[(r["site"], r["netpet_group"])]
            given[r["patient_id"]] = given.get(r["patient_id"], False) or r["prrt_given"]
    expected = {
        key: (n, *((len(prrt[key[:2]]), sum(prrt[key[:2]].values())) if key[1] in ("P1", "P5") else (None, None)))
        for key, n in timepoints.items()
    }
    counts, discordant = _practice_frames(cohort, params, include_ids=True)
    got = {
        (r["site"], r["netpet_group"], r["next_treatment"]): (r["timepoints"], r["patients"], r["prrt_patients"])
        for r in counts.iter_rows(named=True)
    }
    assert got == expected
    assert ("unknown", "P5", "prrt") in got  # the site-less patient's P5 timepoint, PRRT the same day as SSA
    assert sorted(discordant["timepoint_id"].to_list()) == sorted(
        r["timepoint_id"] for r in rows if r["netpet_group"] == "P5" and r["prrt_given"]
    )


def test_the_practice_table_is_dropped_after_the_counts(cohort):
    params = {"as_of": AS_OF, "window_days": TREATMENT_WINDOW_DAYS}
    _practice_frames(cohort, params, include_ids=False)
    assert cohort.query("select * from duckdb_tables() where table_name = 'audit_practice'").height == 0


def test_as_of_excludes_later_scans_from_the_delays(cohort):
    def total_scans(as_of) -> int:
        frame = cohort.query_file("queries", "audit_registration_delays", {"as_of": as_of})
        return frame.filter(frame["breakdown"] == "total")["scans"].item()

    assert total_scans(AS_OF + timedelta(days=3650)) == total_scans(AS_OF) + 1  # ZF3, dated 2026
