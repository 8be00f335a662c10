"""The stored analysis rows: every write keeps them equal to their live derivation, on both backends.

Analyses read `timepoint_scores`, `patient_followup` and `patient_survival`, which show the stored tables
`analysis_timepoints` and `analysis_patients`; `live_timepoint_scores` and `live_patient_analysis` derive the
same rows from the clinical tables on every read. (The `registry` fixture also checks, after every test that
uses it, that no write left the two apart.)
"""

from __future__ import annotations

import polars as pl
import pytest

from netpet.registry import MigrationError, Registry
from netpet.registry.analysis_tables import derivation_sha256, is_current, refresh_analysis_tables
from netpet.registry.history import delete_patient, restore_patient
from tests.ingest_fixtures import load_valid

STORED_AS = {"live_timepoint_scores": "analysis_timepoints", "live_patient_analysis": "analysis_patients"}


def stored_and_live(reg: Registry, live: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        reg.query(f"select * from {STORED_AS[live]} order by all"),
        reg.query(f"select * from {live} order by all"),
    )


@pytest.mark.parametrize("live", sorted(STORED_AS))
def test_stored_tables_have_the_live_columns_and_types(registry: Registry, live: str) -> None:
    stored, derived = stored_and_live(registry, live)
    assert stored.schema == derived.schema


def test_an_import_stores_the_rows_it_implies(registry: Registry) -> None:
    load_valid(registry)
    for live in STORED_AS:
        stored, derived = stored_and_live(registry, live)
        assert stored.height > 0
        assert stored.equals(derived), live
    p2 = registry.query("select os_event, os_days, netpet_group from patient_survival where patient_id = 'P2'")
    assert p2.to_dicts() == [{"os_event": True, "os_days": 512, "netpet_group": "P1"}]  # 2017-01-05 to death


def test_deleting_and_restoring_a_patient_moves_their_rows_only(registry: Registry) -> None:
    load_valid(registry)
    before = registry.query("select * from patient_survival order by patient_id")
    delete_patient(registry, "P2", operator="tester")
    after_delete = registry.query("select * from patient_survival order by patient_id")
    assert after_delete.equals(before.filter(pl.col("patient_id") != "P2"))
    assert registry.query("select * from timepoint_scores where patient_id = 'P2'").height == 0
    restore_patient(registry, "P2", operator="tester")
    assert registry.query("select * from patient_survival order by patient_id").equals(before)


def test_changing_the_score_source_moves_every_baseline_score(registry: Registry) -> None:
    load_valid(registry)  # P1's timepoint: recorded P3, derived P3 (one concordant-similar read)
    registry.set_setting("score_source", "recorded")
    rows = registry.query("select patient_id, score_origin from patient_survival order by patient_id")
    assert rows["score_origin"].to_list() == ["recorded", "recorded"]
    registry.set_setting("score_source", "derived")
    rows = registry.query("select patient_id, score_origin from patient_survival order by patient_id")
    assert rows["score_origin"].to_list() == ["derived", "derived"]


def test_refreshing_some_patients_equals_refreshing_all(registry: Registry) -> None:
    load_valid(registry)
    with registry.transaction() as con:
        con.execute("update outcomes set outcome_date = date '2018-07-01' where patient_id = 'P2'")
        refresh_analysis_tables(con, ["P2"])
    _, derived = stored_and_live(registry, "live_patient_analysis")
    with registry.transaction() as con:
        refresh_analysis_tables(con)
    stored, _ = stored_and_live(registry, "live_patient_analysis")
    assert stored.equals(derived)
    assert registry.query("select death_date from patient_followup where patient_id = 'P2'")["death_date"][0]\
        .isoformat() == "2018-07-01"


def test_refreshing_no_patients_writes_nothing(registry: Registry) -> None:
    load_valid(registry)
    before = registry.query("select refreshed_at from analysis_state")
    with registry.transaction() as con:
        refresh_analysis_tables(con, [])
    assert registry.query("select refreshed_at from analysis_state").equals(before)


def test_rows_derived_by_another_release_are_rebuilt_on_a_writable_open(registry_path) -> None:
    with Registry.create(registry_path) as reg:
        load_valid(reg)
        reg.con.execute("update analysis_state set derivation_sha256 = 'an older release'")
        reg.con.execute("delete from analysis_patients")
    with pytest.raises(MigrationError, match=r"analysis rows derived by another release.*netpet migrate"):
        Registry.open(registry_path, read_only=True)
    with Registry.open(registry_path) as reg:
        assert is_current(reg)
        assert reg.query("select derivation_sha256 from analysis_state")["derivation_sha256"].to_list() == [
            derivation_sha256()
        ]
        assert reg.query("select count(*) as n from patient_survival")["n"][0] == 2
