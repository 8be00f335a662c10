"""The change history loses nothing: a deleted patient comes back exactly from the log."""

from __future__ import annotations

import pytest

from netpet.registry import Registry, RegistryError
from netpet.registry.history import delete_patient, patient_history, restore_patient
from tests.scoring_fixtures import rederive

TABLES = ("patients", "pet_scans", "timepoints", "lesion_reads", "derived_scores", "treatments", "outcomes")


def _fill(reg: Registry) -> None:
    statements = [
        "insert into patients values ('NP-1', 'Sydney', 'female', date '1960-03-01', date '2015-01-10', 'pancreas',"
        " 'G2', 7.5, null)",
        "insert into patients (patient_id, diagnosis_date, primary_site) values ('NP-2', date '2016-01-01', 'lung')",
        "insert into pet_scans values ('S1', 'NP-1', 'ga68_dotatate', date '2015-02-01', null),"
        " ('F1', 'NP-1', 'fdg', date '2015-02-03', null)",
        "insert into timepoints values ('T1', 'NP-1', 'S1', 'F1', 3, null)",
        "insert into lesion_reads values ('T1', 'liver-s7', 'liver', 14.2, 6.1, true, true, 'similar', null, null),"
        " ('T1', 'node-1', 'lymph_node', null, null, true, false, null, null, null)",
        "insert into treatments values ('TR1', 'NP-1', 'prrt_lu177_dotatate', date '2015-03-01', date '2015-09-01',"
        " 4, 29.6, 'completed', null)",
        "insert into outcomes values ('NP-1', 'last_contact', date '2016-05-01', null, null)",
    ]
    with reg.transaction() as con:
        for sql in statements:
            con.execute(sql)
        rederive(con, ["T1"])


def _snapshot(reg: Registry) -> dict[str, list[tuple]]:
    return {t: sorted(reg.query(f"select * from {t}").rows()) for t in TABLES}


def test_delete_then_restore_gives_back_every_record(registry: Registry) -> None:
    _fill(registry)
    before = _snapshot(registry)
    deleted = delete_patient(registry, "NP-1", operator="dm")
    assert deleted == 9  # 1 patient, 2 scans, 1 timepoint, 2 reads, 1 derived score, 1 treatment, 1 outcome
    assert registry.query("select patient_id from patients")["patient_id"].to_list() == ["NP-2"]
    restored = restore_patient(registry, "NP-1", operator="dm")
    assert dict(restored.iter_rows())["lesion_reads"] == 2
    assert _snapshot(registry) == before


def test_history_lists_deletion_and_restore_and_is_never_rewritten(registry: Registry) -> None:
    _fill(registry)
    delete_patient(registry, "NP-1", operator="dm")
    first = patient_history(registry, "NP-1")
    restore_patient(registry, "NP-1", operator="lead")
    history = patient_history(registry, "NP-1")
    assert history.head(first.height).equals(first)
    assert set(history["action"]) == {"delete", "restore"}
    assert history.filter(history["action"] == "restore")["operator"].unique().to_list() == ["lead"]


def test_restore_refuses_a_patient_that_was_never_deleted(registry: Registry) -> None:
    _fill(registry)
    with pytest.raises(RegistryError, match="only a deleted patient"):
        restore_patient(registry, "NP-1")
    with pytest.raises(RegistryError, match="no deletion"):
        restore_patient(registry, "NP-9")


def test_history_commands_delete_show_and_restore(registries) -> None:
    from click.testing import CliRunner

    from netpet.cli import cli

    registry_path = registries.copy()
    with Registry.open(registry_path) as reg:
        _fill(reg)
    runner = CliRunner()
    db = ["--db", registry_path]
    result = runner.invoke(cli, [*db, "delete-patient", "NP-1", "--yes"])
    assert result.exit_code == 0, result.output
    assert "9 records" in result.output
    result = runner.invoke(cli, [*db, "history", "--patient", "NP-1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.count(",delete,") == 9
    result = runner.invoke(cli, [*db, "restore-patient", "NP-1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"table": "patients"' in result.output
    result = runner.invoke(cli, [*db, "restore-patient", "NP-1"])
    assert result.exit_code == 1
    assert "only a deleted patient" in result.output
