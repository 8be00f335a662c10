"""Prechecks (sql/checks/prechecks): a check is skipped only when its precheck proves it cannot fail."""

from __future__ import annotations

import pytest

from netpet.registry.audit import run_check, run_checks
from netpet.registry.errors import RegistryError
from netpet.registry.sqlfiles import sql_files, sql_root
from tests.audit_fixtures import AS_OF, TRIPS, run_script, seed_clean

#: Ways the stored analysis rows can drift from their live derivation, each written outside netpet.
DRIFTS = {
    "clinical row edited": TRIPS["analysis_tables_stale"],
    "stored row deleted": "delete from analysis_patients where patient_id = 'P002'",
    "stored row duplicated": "insert into analysis_timepoints select * from timepoint_scores where timepoint_id = 'T1'",
    "stored value nudged": "update analysis_patients set age_at_origin = age_at_origin + 1e-9 where patient_id='P001'",
    # Each column keeps the same values, only their pairing in rows changes: a per-column digest misses it.
    "stored values swapped between rows": """
        update analysis_patients set who_grade = case patient_id when 'P001' then 'G3' else 'G2' end""",
}


@pytest.fixture
def registry(registries):
    """A fresh, empty registry on each backend, closed after the test."""
    reg = registries.open()
    yield reg
    reg.close()


def _may_fail(reg) -> bool:
    """Run the stale-rows precheck and return its one value."""
    return reg.query_file("checks/prechecks", "analysis_tables_stale")["may_fail"].to_list() == [True]


def test_every_precheck_belongs_to_a_check_and_says_why():
    checks = {path.stem for path in sql_files("checks")}
    prechecks = sorted((sql_root() / "checks" / "prechecks").glob("*.sql"))
    assert prechecks
    for path in prechecks:
        assert path.stem in checks, path.name
        assert "-- Why:" in path.read_text(encoding="utf-8"), path.name


def _spy_on_query_files(reg, monkeypatch) -> list[tuple[str, str]]:
    """Record every (kind, name) the registry's query_file runs from now on, in order."""
    ran: list[tuple[str, str]] = []
    query_file = reg.query_file

    def spy(kind, name, params=None):
        ran.append((kind, name))
        return query_file(kind, name, params)

    monkeypatch.setattr(reg, "query_file", spy)
    return ran


def test_a_registry_without_digests_gets_the_full_comparison_until_a_refresh(registry, monkeypatch):
    """As a registry migrated from before the digests: the precheck cannot vouch for it, so the check runs."""
    seed_clean(registry)
    run_script(registry, "delete from analysis_digests", refresh=False)
    assert _may_fail(registry)
    ran = _spy_on_query_files(registry, monkeypatch)
    assert run_check(registry, "analysis_tables_stale").height == 0  # the rows themselves are current
    assert ("checks", "analysis_tables_stale") in ran
    run_script(registry, "select 1")  # any full refresh records the digests
    assert not _may_fail(registry)


def test_the_setting_the_derivation_reads_is_in_the_digest(registry):
    seed_clean(registry)
    run_script(registry, "insert into settings (name, value) values ('score_source', 'recorded')", refresh=False)
    assert _may_fail(registry)


def test_stale_precheck_passes_a_current_registry_and_an_empty_one(registry):
    assert not _may_fail(registry)
    seed_clean(registry)
    assert not _may_fail(registry)


@pytest.mark.parametrize("drift", sorted(DRIFTS))
def test_stale_precheck_fails_on_every_drift_and_the_check_then_names_the_rows(registry, drift):
    seed_clean(registry)
    run_script(registry, DRIFTS[drift], refresh=False)
    assert _may_fail(registry)
    failures = run_checks(registry, as_of=AS_OF)
    assert failures.filter(failures["check"] == "analysis_tables_stale").height > 0


def test_a_check_its_precheck_rules_out_is_not_run(registry, monkeypatch):
    seed_clean(registry)
    ran = _spy_on_query_files(registry, monkeypatch)
    assert run_checks(registry, as_of=AS_OF).height == 0
    assert ("checks/prechecks", "analysis_tables_stale") in ran
    assert ("checks", "analysis_tables_stale") not in ran
    assert ("checks", "event_after_death") in ran  # a check without a precheck always runs


@pytest.mark.parametrize("drift", sorted(DRIFTS))
def test_one_check_runs_as_the_audit_runs_it(registry, drift):
    """run_check runs a check as the audit does (its precheck, then the check): drift is reported alone."""
    seed_clean(registry)
    assert run_check(registry, "analysis_tables_stale").height == 0
    run_script(registry, DRIFTS[drift], refresh=False)
    assert run_check(registry, "analysis_tables_stale").height > 0


def test_an_unknown_check_is_named(registry):
    with pytest.raises(RegistryError, match="no check named 'analysis_tables_stael'"):
        run_check(registry, "analysis_tables_stael")
