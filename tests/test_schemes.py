"""The schemes' derivations from lesion reads hold at every boundary, and the complete-case frame counts who left.

The brute-force test gives one patient every combination of up to two lesions (each lesion class at a liver,
primary and bone location) and checks `sql/queries/baseline_schemes.sql` against the published rules written
out here in Python, lesion by lesion, as the papers state them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.schemes import ALIASES, UNCLASSIFIED, known_schemes, resolve_schemes, scheme_frame
from netpet.registry import Registry
from tests.scoring_fixtures import rederive

#: (sstr_avid, fdg_avid, fdg_vs_sstr): negative, SSTR only, concordant lower/similar/higher, discordant.
CLASSES = [(False, False, None), (True, False, None), (True, True, "lower"), (True, True, "similar"),
           (True, True, "higher"), (False, True, None)]
LOCATIONS = ("liver", "primary", "bone")
LESIONS = list(itertools.product(CLASSES, LOCATIONS))
COMBINATIONS = [(a,) for a in LESIONS] + list(itertools.combinations_with_replacement(LESIONS, 2))


def karfis_rule(lesions) -> str | None:
    """Karfis C1-C3 as Cancer Imaging 2022 Table 1 states it, over the lesions avid on either tracer."""
    avid = [(s, f) for (s, f, _), _loc in lesions if s or f]
    if not avid:
        return None
    if any(f and not s for s, f in avid):
        return "C3"  # at least one SSTR-/FDG+ lesion
    if all(s for s, _ in avid) and any(f for _, f in avid):
        return "C2"  # all SSTR+, at least one FDG+
    assert all(s and not f for s, f in avid)
    return "C1"  # all SSTR+/FDG-


def fdg_rule(lesions) -> str:
    """Binderup 2021: FDG-positive when any lesion is FDG-avid."""
    return "FDG+" if any(f for (_, f, _), _loc in lesions) else "FDG-"


def extrahepatic_rule(lesions) -> str:
    """BJC 2023: avid disease outside the liver and the primary tumour."""
    return "yes" if any((s or f) and loc not in ("liver", "primary") for (s, f, _), loc in lesions) else "no"


def _fill(reg: Registry) -> None:
    """One patient per combination (first timepoint), a second timepoint whose bone lesion must not count,
    and a patient scored from a recorded score only (no lesion reads)."""
    day = date(2020, 1, 1)
    patients, scans, timepoints, reads, outcomes = [], [], [], [], []
    for i, lesions in enumerate(COMBINATIONS):
        pid = f"S{i:04d}"
        patients.append((pid, date(2018, 1, 1), "pancreas", "G2", 5.0, date(1960, 1, 1)))
        scans += [(f"{pid}-s1", pid, "ga68_dotatate", day), (f"{pid}-f1", pid, "fdg", day)]
        timepoints.append((f"{pid}-t1", pid, f"{pid}-s1", f"{pid}-f1", None))
        reads += [(f"{pid}-t1", f"L{j}", loc, s, f, cmp) for j, ((s, f, cmp), loc) in enumerate(lesions)]
        outcomes.append((pid, "death" if i % 2 else "last_contact", day + timedelta(days=100 + i)))
        if i == 0:  # a later timepoint with extrahepatic, FDG-avid disease
            later = day + timedelta(days=50)
            scans += [(f"{pid}-s2", pid, "ga68_dotatate", later), (f"{pid}-f2", pid, "fdg", later)]
            timepoints.append((f"{pid}-t2", pid, f"{pid}-s2", f"{pid}-f2", None))
            reads.append((f"{pid}-t2", "L9", "bone", False, True, None))
    pid = "R0001"
    patients.append((pid, date(2018, 1, 1), "pancreas", None, None, date(1960, 1, 1)))
    scans += [(f"{pid}-s1", pid, "ga68_dotatate", day), (f"{pid}-f1", pid, "fdg", day)]
    timepoints.append((f"{pid}-t1", pid, f"{pid}-s1", f"{pid}-f1", 3))
    outcomes.append((pid, "death", day + timedelta(days=30)))
    _insert(reg, {
        "patients": ("patient_id, diagnosis_date, primary_site, who_grade, ki67_percent, birth_date", patients),
        "pet_scans": ("scan_id, patient_id, tracer, scan_date", scans),
        "timepoints": ("timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score", timepoints),
        "lesion_reads": ("timepoint_id, lesion_id, location, sstr_avid, fdg_avid, fdg_vs_sstr", reads),
        "outcomes": ("patient_id, outcome, outcome_date", outcomes),
    })


def _insert(reg: Registry, tables: dict[str, tuple[str, list[tuple]]]) -> None:
    """Insert each table's rows (named columns, rows) in one transaction, then derive the scores."""
    with reg.transaction() as con:
        for table, (columns, rows) in tables.items():
            marks = ", ".join("?" for _ in columns.split(", "))
            con.executemany(f"insert into {table} ({columns}) values ({marks})", rows)
        rederive(con)


def _built(tmp_path_factory: pytest.TempPathFactory, name: str, fill: Callable[[Registry], None]) -> Path:
    """A registry file filled once for the module's read-only tests."""
    path = tmp_path_factory.mktemp(name) / f"{name}.duckdb"
    with Registry.create(path) as reg:
        fill(reg)
    return path


def _baseline(path: Path) -> pl.DataFrame:
    """The schemes' per-patient predictors as `sql/queries/baseline_schemes.sql` derives them."""
    with Registry.open(path, read_only=True) as reg:
        return reg.query_file("queries", "baseline_schemes")


@pytest.fixture(scope="module")
def combos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory, "combos", _fill)


def test_every_lesion_combination_gets_the_published_classes(combos: Path) -> None:
    got = _baseline(combos)
    by_id = {row["patient_id"]: row for row in got.iter_rows(named=True)}
    assert len(COMBINATIONS) == 189
    for i, lesions in enumerate(COMBINATIONS):
        row = by_id[f"S{i:04d}"]
        expected = (len(lesions), karfis_rule(lesions), fdg_rule(lesions), extrahepatic_rule(lesions))
        actual = (row["baseline_lesion_reads"], row["karfis"], row["fdg_status"], row["extrahepatic"])
        assert actual == expected, lesions


def test_karfis_class_matches_the_netpet_group_derived_from_the_same_reads(combos: Path) -> None:
    """Both rules put a discordant lesion first, then any FDG-avid lesion, then SSTR-only disease."""
    with Registry.open(combos, read_only=True) as reg:
        got = reg.query_file("queries", "baseline_schemes").join(
            reg.query("select patient_id, netpet_group from patient_survival"), on="patient_id")
    pairs = set(got.filter(pl.col("karfis").is_not_null()).select("netpet_group", "karfis").iter_rows())
    assert pairs == {("P1", "C1"), ("P2-4", "C2"), ("P5", "C3")}


def test_a_timepoint_without_lesion_reads_has_no_lesion_schemes(combos: Path) -> None:
    with Registry.open(combos, read_only=True) as reg:
        row = reg.query_file("queries", "baseline_schemes").filter(pl.col("patient_id") == "R0001").row(0, named=True)
    assert (row["baseline_lesion_reads"], row["karfis"], row["fdg_status"], row["extrahepatic"]) == (0, None, None,
                                                                                                     None)
    assert row["netpet_score"] == "P3"


def test_only_the_first_timepoint_counts(combos: Path) -> None:
    """Patient S0000's first timepoint has one negative liver lesion; its second, an FDG-avid bone lesion."""
    with Registry.open(combos, read_only=True) as reg:
        row = reg.query_file("queries", "baseline_schemes").filter(pl.col("patient_id") == "S0000").row(0, named=True)
    assert (row["baseline_lesion_reads"], row["fdg_status"], row["extrahepatic"]) == (1, "FDG-", "no")


def test_the_frame_counts_each_exclusion_by_reason(combos: Path) -> None:
    schemes = resolve_schemes(["netpet_group", "karfis", "fdg_status+ki67"])
    with Registry.open(combos, read_only=True) as reg:
        data = scheme_frame(reg, schemes)
    total = len(COMBINATIONS) + 1
    negative_only = sum(1 for c in COMBINATIONS if karfis_rule(c) is None)  # P0: no measurable disease
    assert data.excluded == {"P0 (no measurable disease)": negative_only,
                             "no lesion reads at the first timepoint": 1}
    assert data.frame.height == total - negative_only - 1
    assert data.skipped == {"fdg_status+ki67": "ki67_percent take a single value among the analysed patients"}
    assert data.frame.columns == ["patient_id", "entry", "time", "event", "netpet_group", "karfis", "fdg_status",
                                  "ki67_percent"]


def test_a_scheme_with_a_single_level_is_set_aside_with_its_reason(combos: Path) -> None:
    """Every patient is G2 with Ki-67 5%: neither separates anyone, and the other schemes still run."""
    with Registry.open(combos, read_only=True) as reg:
        data = scheme_frame(reg, resolve_schemes(["netpet_group", "who_grade+ki67"]))
    assert data.skipped == {"who_grade+ki67": "who_grade and ki67_percent take a single value among the analysed "
                                              "patients"}
    assert [s.name for s in data.schemes] == ["netpet_group"]


def test_lesion_schemes_without_any_lesion_reads_are_set_aside(registry_path: Path) -> None:
    with Registry.create(registry_path) as reg:
        with reg.transaction() as con:
            con.execute("insert into patients (patient_id, diagnosis_date, primary_site, who_grade) values "
                        "('A', date '2019-01-01', 'pancreas', 'G1'), ('B', date '2019-01-01', 'pancreas', 'G3')")
            con.execute("insert into pet_scans values ('As', 'A', 'ga68_dotatate', date '2020-01-01', null), "
                        "('Af', 'A', 'fdg', date '2020-01-01', null), ('Bs', 'B', 'ga68_dotatate', "
                        "date '2020-01-01', null), ('Bf', 'B', 'fdg', date '2020-01-01', null)")
            con.execute("insert into timepoints values ('At', 'A', 'As', 'Af', 1, null), "
                        "('Bt', 'B', 'Bs', 'Bf', 5, null)")
            con.execute("insert into outcomes values ('A', 'death', date '2021-01-01', null, null), "
                        "('B', 'death', date '2020-06-01', null, null)")
            rederive(con)
        data = scheme_frame(reg, resolve_schemes(["netpet_group", "karfis", "extrahepatic", "who_grade"]))
    reason = "cannot be derived: no lesion reads at the first dual-PET timepoint"
    assert data.skipped == {"karfis": f"karfis {reason}", "extrahepatic": f"extrahepatic {reason}"}
    assert [s.name for s in data.schemes] == ["netpet_group", "who_grade"]
    assert data.frame.height == 2


def test_an_unknown_scheme_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(AnalysisError) as info:
        resolve_schemes(["netpet_group", "zidna", "who_grade+stage"])
    message = str(info.value)
    assert message.startswith("unknown scheme(s) zidna, who_grade+stage; known schemes: ")
    assert all(name in message for name in known_schemes())


def test_combinations_and_aliases_resolve_to_their_predictors() -> None:
    schemes = resolve_schemes(["who_grade+age", "bjc2023", "netpet_group"])
    assert [(s.name, s.predictors) for s in schemes] == [
        ("who_grade+age", ("who_grade", "age")),
        ("bjc2023", tuple(ALIASES["bjc2023"].split("+"))),
        ("netpet_group", ("netpet_group",)),
    ]
    assert [s.is_clinical for s in schemes] == [True, False, False]
    assert [s.is_grouping for s in schemes] == [False, False, True]


def test_the_rules_hold_on_every_backend(registry: Registry) -> None:
    """The same derivation on the embedded file and on PostgreSQL (through DuckDB's postgres extension)."""
    _fill(registry)
    got = {r["patient_id"]: r for r in registry.query_file("queries", "baseline_schemes").iter_rows(named=True)}
    for i, lesions in enumerate(COMBINATIONS):
        row = got[f"S{i:04d}"]
        assert (row["karfis"], row["fdg_status"], row["extrahepatic"]) == (
            karfis_rule(lesions), fdg_rule(lesions), extrahepatic_rule(lesions)), lesions


#: (sstr_krenning, fdg_avid, fdg_vs_sstr) with sstr_avid = Krenning 2-4: each side of the SSTR-avid (1|2) and the
#: liver (2|3) boundaries, on both FDG calls.
KRENNING = [(k, f, "similar" if f and k >= 2 else None) for k in range(5) for f in (False, True)]
ZIDAN_COMBINATIONS = [(a,) for a in KRENNING] + list(itertools.combinations_with_replacement(KRENNING, 2))
#: The combinations and a timepoint whose second lesion has no Krenning score: one patient each.
ZIDAN_CASES = [*ZIDAN_COMBINATIONS, ((3, False, None), (None, False, None))]


def zidan_rule(lesions) -> tuple[str | None, str | None]:
    """Zidan 1-4 as Cancer Imaging 2022 Table 1 states it (SSTR-positive = above liver, Krenning 3-4), with the
    reason a timepoint has none: a lesion without a Krenning score, or a pattern the table leaves out."""
    if any(k is None for k, _, _ in lesions):
        return None, "krenning_missing"
    above_liver = [k >= 3 for k, _, _ in lesions]
    fdg = [f for _, f, _ in lesions]
    if any(f and not s for s, f in zip(above_liver, fdg, strict=True)):
        return "Z4", None  # an FDG-avid lesion at or below liver: not suitable for PRRT
    if not any(above_liver) and not any(fdg):
        return "Z1", None  # SSTR-negative and FDG-negative throughout
    if all(above_liver):
        return ("Z3" if any(fdg) else "Z2"), None  # SSTR-positive throughout, FDG-positive in one lesion or none
    return None, "undefined"


def _fill_zidan(reg: Registry) -> None:
    """One patient per combination of Krenning-scored lesions, and one whose second lesion has no score."""
    day = date(2020, 1, 1)
    patients, scans, timepoints, reads, outcomes = [], [], [], [], []
    for i, lesions in enumerate(ZIDAN_CASES):
        pid = f"Z{i:04d}"
        patients.append((pid, date(2018, 1, 1), "lung", "G2" if i % 3 else "G1", date(1960, 1, 1)))
        scans += [(f"{pid}-s1", pid, "ga68_dotatate", day), (f"{pid}-f1", pid, "fdg", day)]
        timepoints.append((f"{pid}-t1", pid, f"{pid}-s1", f"{pid}-f1"))
        reads += [(f"{pid}-t1", f"L{j}", "liver", k is None or k >= 2, f, cmp, k)
                  for j, (k, f, cmp) in enumerate(lesions)]
        outcomes.append((pid, "death" if i % 2 else "last_contact", day + timedelta(days=100 + i)))
    _insert(reg, {
        "patients": ("patient_id, diagnosis_date, primary_site, who_grade, birth_date", patients),
        "pet_scans": ("scan_id, patient_id, tracer, scan_date", scans),
        "timepoints": ("timepoint_id, patient_id, sstr_scan_id, fdg_scan_id", timepoints),
        "lesion_reads": ("timepoint_id, lesion_id, location, sstr_avid, fdg_avid, fdg_vs_sstr, sstr_krenning", reads),
        "outcomes": ("patient_id, outcome, outcome_date", outcomes),
    })


def _check_zidan(got: pl.DataFrame) -> None:
    """Every combination gets the class (or the reason for none) the rule written out above gives."""
    by_id = {row["patient_id"]: row for row in got.iter_rows(named=True)}
    for i, lesions in enumerate(ZIDAN_CASES):
        row = by_id[f"Z{i:04d}"]
        assert (row["zidan"], row["zidan_unclassified"]) == zidan_rule(lesions), lesions


@pytest.fixture(scope="module")
def zidan_combos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory, "zidan", _fill_zidan)


def test_every_krenning_combination_gets_the_published_zidan_class(zidan_combos: Path) -> None:
    got = _baseline(zidan_combos)
    assert len(ZIDAN_COMBINATIONS) == 65
    _check_zidan(got)
    classes = {zidan_rule(c) for c in ZIDAN_COMBINATIONS}
    assert classes == {("Z1", None), ("Z2", None), ("Z3", None), ("Z4", None), (None, "undefined")}


def test_the_liver_is_the_zidan_boundary_and_background_the_avidity_one(zidan_combos: Path) -> None:
    """Krenning 2 (at liver) is SSTR-avid for NETPET and Karfis but SSTR-negative for Zidan; 3 is positive."""
    got = _baseline(zidan_combos)
    single = {c[0]: f"Z{i:04d}" for i, c in enumerate(ZIDAN_COMBINATIONS) if len(c) == 1}
    row = {pid: r for r in got.iter_rows(named=True) for k, pid in single.items() if r["patient_id"] == pid}
    at_liver, above_liver = row[single[(2, True, "similar")]], row[single[(3, True, "similar")]]
    assert (at_liver["karfis"], at_liver["zidan"]) == ("C2", "Z4")
    assert (above_liver["karfis"], above_liver["zidan"]) == ("C2", "Z3")
    assert (row[single[(1, False, None)]]["zidan"], row[single[(2, False, None)]]["zidan"]) == ("Z1", "Z1")


def test_reads_without_krenning_scores_leave_zidan_unclassified(combos: Path) -> None:
    with Registry.open(combos, read_only=True) as reg:
        got = reg.query_file("queries", "baseline_schemes").filter(pl.col("baseline_lesion_reads") > 0)
    assert got.get_column("zidan").null_count() == got.height
    assert set(got.get_column("zidan_unclassified")) == {"krenning_missing"}


def test_the_frame_counts_zidan_exclusions_by_reason(zidan_combos: Path) -> None:
    with Registry.open(zidan_combos, read_only=True) as reg:
        data = scheme_frame(reg, resolve_schemes(["netpet_group", "zidan", "karfis"]))
    cases = ZIDAN_CASES
    p0 = sum(1 for c in ZIDAN_COMBINATIONS if all(k < 2 and not f for k, f, _ in c))
    undefined = sum(1 for c in cases if zidan_rule(c)[1] == "undefined")
    assert data.excluded == {"P0 (no measurable disease)": p0, UNCLASSIFIED["krenning_missing"]: 1,
                             UNCLASSIFIED["undefined"]: undefined}
    assert data.frame.height == len(cases) - p0 - 1 - undefined
    assert set(data.frame.get_column("zidan")) == {"Z1", "Z2", "Z3", "Z4"}
    assert [s.name for s in data.schemes] == ["netpet_group", "zidan", "karfis"]


def test_zidan_without_any_krenning_score_is_set_aside_and_the_rest_run(combos: Path) -> None:
    with Registry.open(combos, read_only=True) as reg:
        data = scheme_frame(reg, resolve_schemes(["netpet_group", "zidan", "karfis"]))
    assert data.skipped == {"zidan": "zidan cannot be derived: no first-timepoint lesion reads carry sstr_krenning "
                                     "(docs/import-format.md)"}
    assert [s.name for s in data.schemes] == ["netpet_group", "karfis"]
    assert "zidan" not in data.frame.columns


def test_the_zidan_rules_hold_on_every_backend(registry: Registry) -> None:
    _fill_zidan(registry)
    _check_zidan(registry.query_file("queries", "baseline_schemes"))
