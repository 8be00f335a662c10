"""The data checks in sql/checks: each trips on its fixture and passes on clean data."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.audit import check_catalogue, check_summary, has_errors, run_checks
from netpet.registry.sqlfiles import sql_files
from tests.audit_fixtures import (
    AS_OF,
    OUTSIDE_NETPET,
    SEVERITY,
    TRIP_PATIENTS,
    TRIPS,
    run_script,
    seed_clean,
)


@pytest.fixture
def registry(registries):
    """A fresh, empty registry on each backend (a copy of a migrated template), closed after the test."""
    reg = registries.open()
    yield reg
    reg.close()


def test_every_check_file_has_a_trip_fixture_and_a_header_saying_why():
    names = {path.stem for path in sql_files("checks")}
    assert names == set(TRIPS)
    for path in sql_files("checks"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith(f"-- {path.stem}:"), path.name
        assert "-- Why:" in text, path.name


def test_clean_registry_passes_every_check(registry):
    seed_clean(registry)
    failures = run_checks(registry, as_of=AS_OF)
    assert failures.height == 0, failures
    assert not has_errors(failures)


@pytest.mark.parametrize("check", sorted(TRIPS))
def test_check_trips_on_its_fixture_and_no_other_check_does(registry, check):
    seed_clean(registry)
    run_script(registry, TRIPS[check], refresh=check not in OUTSIDE_NETPET)
    failures = run_checks(registry, as_of=AS_OF)
    assert set(failures["check"].to_list()) == {check}
    assert set(failures["patient_id"].to_list()) == TRIP_PATIENTS[check]
    assert set(failures["severity"].to_list()) == {SEVERITY[check]}
    assert has_errors(failures) == (SEVERITY[check] == "error")
    assert all(failures["message"].str.len_chars() > 10)


def test_stale_analysis_rows_are_named_and_the_fix_the_message_gives_clears_them(registry):
    seed_clean(registry)
    run_script(registry, TRIPS["analysis_tables_stale"], refresh=False)
    stored = registry.query("select who_grade from patient_survival where patient_id = 'P002'")
    assert stored["who_grade"].to_list() == ["G3"]  # analyses still see the old value
    message = run_checks(registry, as_of=AS_OF)["message"][0]
    assert "netpet migrate --refresh-analysis" in message
    registry.close()  # the command opens the registry itself
    result = CliRunner().invoke(cli, ["migrate", "--db", registry.path, "--refresh-analysis"])
    assert result.exit_code == 0, result.output
    assert "analysis rows re-derived" in result.output
    with Registry.open(registry.path, read_only=True) as reg:
        assert run_checks(reg, as_of=AS_OF).height == 0
        refreshed = reg.query("select who_grade from patient_survival where patient_id = 'P002'")
    assert refreshed["who_grade"].to_list() == ["G1"]


def test_missing_fields_names_each_missing_field(registry):
    seed_clean(registry)
    run_script(registry, TRIPS["missing_clinical_fields"])
    messages = sorted(run_checks(registry, as_of=AS_OF)["message"].to_list())
    assert messages == ["Ki-67 index is missing", "WHO grade is missing", "primary site is unknown"]


def test_pairing_window_follows_the_registry_setting(registry):
    seed_clean(registry)
    run_script(registry, TRIPS["pairing_outside_window"])  # scans 59 days apart
    registry.set_setting("pairing_window_days", "59")
    assert run_checks(registry, as_of=AS_OF).height == 0
    registry.set_setting("pairing_window_days", "58")
    failures = run_checks(registry, as_of=AS_OF)
    assert failures["message"].to_list() == ["SSTR and FDG scans are 59 days apart (window 58 days)"]


def test_lost_to_follow_up_counts_days_before_as_of(registry):
    seed_clean(registry)  # P001 last seen 2024-10-01: 92 days before 2025-01-01
    assert run_checks(registry, as_of=AS_OF, lost_after_days=92).height == 0
    failures = run_checks(registry, as_of=AS_OF, lost_after_days=91)
    assert failures["patient_id"].to_list() == ["P001"]
    assert failures["message"][0] == "no contact since 2024-10-01 (92 days before 2025-01-01)"


def test_dead_patient_is_never_lost_to_follow_up(registry):
    seed_clean(registry)  # P002 died 2021-01-01, nothing since
    failures = run_checks(registry, as_of=date(2030, 1, 1), lost_after_days=30)
    assert set(failures["patient_id"].to_list()) == {"P001"}


def test_open_course_overlaps_a_later_course_of_the_same_treatment(registry):
    seed_clean(registry)  # R2: octreotide from 2020-03-01, still open
    run_script(
        registry,
        "insert into treatments values "
        "('R9', 'P001', 'ssa_octreotide', '2023-01-01', null, null, null, null, 1)",
    )
    failures = run_checks(registry, as_of=AS_OF)
    assert failures.select("check", "record_id").rows() == [("overlapping_treatments", "R2")]


def test_recorded_score_mismatch_message_names_both_scores(registry):
    seed_clean(registry)
    run_script(registry, TRIPS["recorded_score_mismatch"])
    failures = run_checks(registry, as_of=AS_OF)
    assert failures.select("record_id", "message").rows() == [
        ("T3", "recorded score P2 differs from derived score P5")
    ]


def test_summary_lists_every_check_with_its_status(registry):
    seed_clean(registry)
    run_script(registry, TRIPS["event_after_death"] + ";" + TRIPS["duplicate_patients"])
    summary = check_summary(run_checks(registry, as_of=AS_OF))
    assert summary["check"].to_list() == check_catalogue()["check"].to_list()
    failing = {r["check"]: r for r in summary.filter(summary["status"] == "fail").iter_rows(named=True)}
    assert set(failing) == {"event_after_death", "duplicate_patients"}
    assert (failing["event_after_death"]["severity"], failing["event_after_death"]["failing_rows"]) == (
        "error",
        1,
    )
    assert (failing["duplicate_patients"]["failing_rows"], failing["duplicate_patients"]["patients"]) == (
        2,
        2,
    )
    assert all(d for d in summary["description"].to_list())
