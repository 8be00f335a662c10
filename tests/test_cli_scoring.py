"""`netpet score` and `netpet pair` on a real registry file (see tests/data/scoring_registry.sql)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from tests.scoring_fixtures import fill_scoring_registry, rederive


@pytest.fixture
def scored_registry_path(registries) -> str:
    """A closed registry holding patients A, B, C on each backend, for commands that open it themselves."""
    return registries.copy(fill_scoring_registry)


def run(path: str, *args: str):
    return CliRunner().invoke(cli, ["--db", path, *args])


def test_score_patient_prints_each_timepoint_with_lesions(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "score", "--patient", "A")
    assert result.exit_code == 0, result.output
    assert (
        "timepoint 1 A-T1 (2020-01-20): derived P3, recorded P3; analyses use P3 (derived)" in result.output
    )
    assert "timepoint 2 A-T2 (2020-07-05): derived P5, recorded P3; analyses use P5 (derived), group P5" in (
        result.output
    )
    assert (
        "timepoint 3 A-T3 (2021-01-03): derived none, recorded P5; analyses use P5 (recorded)"
        in result.output
    )
    assert "no lesion reads" in result.output
    bone_row = next(
        line for line in result.output.splitlines() if "| bone-1" in line and "discordant" in line
    )
    assert "changed" in bone_row
    assert "worse" in bone_row


def test_score_patient_json_has_one_record_per_timepoint_lesion(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "score", "--patient", "A", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["timepoint_id"] for r in records] == ["A-T1"] * 3 + ["A-T2"] * 4 + ["A-T3"]


def test_score_disagreements_as_csv(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "score", "--disagreements", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("patient_id,timepoint_id,")
    assert [line.split(",")[1] for line in lines[1:]] == ["A-T2", "B-T1"]


def test_score_set_source_stores_the_setting(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "score", "--set-source", "recorded")
    assert result.exit_code == 0, result.output
    with Registry.open(scored_registry_path, read_only=True) as reg:
        assert reg.setting("score_source") == "recorded"


def test_score_without_a_choice_says_what_to_give(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "score")
    assert result.exit_code == 2
    assert "give --patient ID, --disagreements or --set-source" in result.output


def test_score_unknown_patient_fails_cleanly(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "score", "--patient", "Z")
    assert result.exit_code == 1
    assert "no patient Z in the registry" in result.output


def test_pair_adds_timepoints_and_reports_the_rest(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "pair")
    assert result.exit_code == 0, result.output
    assert "added 1 timepoint(s)" in result.output
    assert "4 scan(s) left unpaired" in result.output
    assert "2 ambiguous candidate pair(s)" in result.output
    with Registry.open(scored_registry_path, read_only=True) as reg:
        assert reg.query("select count(*) as n from timepoints")["n"][0] == 5


def test_pair_dry_run_json_writes_nothing(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "pair", "--dry-run", "--window-days", "14", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [p["timepoint_id"] for p in payload["pairs"]] == ["C-S1+C-F1"]
    assert {(a["sstr_scan_id"], a["fdg_scan_id"]) for a in payload["ambiguous"]} == {
        ("C-S3", "C-F2"),
        ("C-S4", "C-F2"),
    }
    with Registry.open(scored_registry_path, read_only=True) as reg:
        assert reg.query("select count(*) as n from timepoints")["n"][0] == 4


def test_pair_csv_is_one_tidy_table(scored_registry_path: str) -> None:
    result = run(scored_registry_path, "pair", "--dry-run", "--format", "csv")
    assert result.exit_code == 0, result.output
    kinds = [line.split(",")[0] for line in result.output.strip().splitlines()[1:]]
    assert kinds == ["pair"] + ["unpaired"] * 4 + ["ambiguous"] * 2


def test_commands_have_help() -> None:
    for name in ("score", "pair"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_score_patient_shows_p4_subclass(scored_registry_path: str) -> None:
    with Registry.open(scored_registry_path) as reg, reg.transaction() as con:
        con.execute(
            "insert into pet_scans (scan_id, patient_id, tracer, scan_date) "
            "values ('B-S2', 'B', 'ga68_dotatate', '2021-03-01'), ('B-F2', 'B', 'fdg', '2021-03-03')"
        )
        con.execute(
            "insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score) "
            "values ('B-T2', 'B', 'B-S2', 'B-F2', 4)"
        )
        con.execute(
            "insert into lesion_reads (timepoint_id, lesion_id, location, sstr_avid, fdg_avid, fdg_vs_sstr) "
            "values ('B-T2', 'liver-1', 'liver', true, true, 'higher'), "
            "('B-T2', 'liver-2', 'liver', true, true, 'higher'), "
            "('B-T2', 'bone-9', 'bone', true, true, 'higher')"
        )
        rederive(con, ["B-T2"])
    result = run(scored_registry_path, "score", "--patient", "B")
    assert result.exit_code == 0, result.output
    expected = "timepoint 2 B-T2 (2021-03-03): derived P4b, recorded P4; analyses use P4b (derived)"
    assert expected in result.output
