"""`netpet transitions` and `netpet swimmer` on a small hand-built registry."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from tests.longitudinal_fixtures import add_patient


@pytest.fixture
def db(registries):
    """Patients A and B on each backend: a file path or a PostgreSQL URL for `--db`."""
    registry_path = registries.copy()
    with Registry.open(registry_path) as reg:
        add_patient(reg, "A", timepoints=[(0, 1), (100, 1), (200, 5)], death=300,
                    treatments=[("prrt_lu177_dotatate", 120, 240)])
        add_patient(reg, "B", timepoints=[(0, 5), (100, 3)], last_contact=400,
                    treatments=[("prrt_lu177_dotatate", 30, 90)])
    return registry_path


def test_transitions_json_lists_pairs_with_row_proportions(db):
    result = CliRunner().invoke(cli, ["transitions", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {(r["from"], r["to"]): (r["n"], r["proportion"]) for r in json.loads(result.output)}
    assert rows == {("P1", "P1"): (1, 0.5), ("P1", "P5"): (1, 0.5), ("P5", "P3"): (1, 1.0)}


def test_transitions_prrt_p5_table_flags_the_course_after_a_p5_score(db):
    result = CliRunner().invoke(cli, ["transitions", "--db", db, "--table", "prrt-p5", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("B,B-R1,1,2020-01-31")


def test_swimmer_writes_the_figure(db, tmp_path):
    out = tmp_path / "swimmer.png"
    result = CliRunner().invoke(cli, ["swimmer", "--db", db, "--out", str(out), "--patient", "A"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_swimmer_refuses_an_unknown_patient(db, tmp_path):
    result = CliRunner().invoke(cli, ["swimmer", "--db", db, "--out", str(tmp_path / "s.png"), "--patient", "Z"])
    assert result.exit_code == 1
    assert "no dual-PET timepoint for patient(s) Z" in result.output


def test_km_landmark_counts_patients_event_free_at_the_landmark_by_their_group_then(registries):
    from tests.longitudinal_fixtures import add_small_cohort

    registry_path = registries.copy(add_small_cohort)
    args = ["km", "--db", registry_path, "--landmark", "150", "--time-unit", "days", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    # By hand (tests/test_longitudinal.py): P1 A, E, H, J, L (all die); P2-4 B, F, I, K, M; P5 D, G.
    groups = {g["group"]: (g["n"], g["events"]) for g in payload["groups"]}
    assert groups == {"P1": (5, 5), "P2-4": (5, 3), "P5": (2, 1)}
    assert payload["origin"] == "landmark 150 days"
    assert payload["excluded"] == {"os event or censored by the landmark": 1}


def test_km_from_treatment_groups_by_the_score_before_it(db):
    args = ["km", "--db", db, "--from-treatment", "prrt_lu177_dotatate", "--endpoint", "pfs", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    groups = {g["group"]: g["n"] for g in json.loads(result.output)["groups"]}
    assert groups == {"P1": 1, "P5": 1}


def test_km_landmark_refuses_another_grouping(db):
    result = CliRunner().invoke(cli, ["km", "--db", db, "--landmark", "6", "--by", "who_grade"])
    assert result.exit_code == 2
    assert "leave --by and --origin at their defaults" in result.output
