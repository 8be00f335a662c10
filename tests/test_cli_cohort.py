"""The `netpet cohort`, `netpet query` and `netpet export` commands over the fixture registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from tests.cohort_fixtures import fill_fixture

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "cohorts" / "examples" / "pancreatic_g2_dual_pet_before_prrt.yaml"


@pytest.fixture
def db(registries) -> str:
    """A copy of the fixture registry on each backend: a file path or a PostgreSQL URL for `--db`."""
    return registries.copy(fill_fixture)


def run(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, *args])


def test_cohort_build_prints_attrition(db: str) -> None:
    result = run(db, "cohort", "build", str(EXAMPLE), "--name", "pg2", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(pl.read_csv(result.output.encode()).iter_rows(named=True))
    assert [r["remaining"] for r in rows] == [8, 6, 5, 3, 2, 1, 1, 1]  # as in test_cohorts


def test_cohort_build_twice_needs_replace(db: str) -> None:
    assert run(db, "cohort", "build", str(EXAMPLE), "--name", "pg2").exit_code == 0
    again = run(db, "cohort", "build", str(EXAMPLE), "--name", "pg2")
    assert again.exit_code == 1
    assert "cohort 'pg2' already exists" in again.output
    assert run(db, "cohort", "build", str(EXAMPLE), "--name", "pg2", "--replace").exit_code == 0


def test_cohort_list_show_attrition_drop(db: str) -> None:
    run(db, "cohort", "build", str(EXAMPLE), "--name", "pg2")
    listed = run(db, "cohort", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [c["name"] for c in json.loads(listed.output)] == ["pg2"]
    shown = run(db, "cohort", "show", "pg2", "--format", "json")
    record = json.loads(shown.output)
    assert record["member_count"] == 1
    assert record["definition"] == EXAMPLE.read_text()
    assert record["attrition"][1]["criterion"] == "entry event: first PRRT (Lu-177 DOTATATE) course"
    table = run(db, "cohort", "show", "pg2")
    assert "definition_sha256" in table.output
    assert "- primary_site: [pancreas]" in table.output
    steps = run(db, "cohort", "attrition", "pg2", "--format", "csv")
    assert steps.output.splitlines()[0] == "step,kind,criterion,remaining,removed"
    dropped = run(db, "cohort", "drop", "pg2")
    assert dropped.exit_code == 0, dropped.output
    assert json.loads(run(db, "cohort", "list", "--format", "json").output) == []


def test_unknown_cohort_is_a_clear_error(db: str) -> None:
    result = run(db, "cohort", "show", "nope")
    assert result.exit_code == 1
    assert "Error: no cohort named 'nope'; none saved" in result.output


def test_malicious_definition_file_is_rejected(db: str, tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("include:\n  - \"who_grade) or (1=1\": [G2]\n")
    result = run(db, "cohort", "build", str(evil), "--name", "evil")
    assert result.exit_code == 1
    assert "unknown criterion 'who_grade) or (1=1' in include[0]; allowed: age_at_entry" in result.output


def test_query_prints_csv_and_json(db: str) -> None:
    sql = "select patient_id, who_grade from patient_survival where who_grade = 'G3'"
    assert run(db, "query", sql, "--format", "csv").output == "patient_id,who_grade\nA4,G3\n"
    records = json.loads(run(db, "query", sql, "--format", "json").output)
    assert records == [{"patient_id": "A4", "who_grade": "G3"}]


def test_query_refuses_writes(db: str) -> None:
    result = run(db, "query", "delete from patients")
    assert result.exit_code == 1
    assert "only a SELECT (or WITH ... SELECT) is allowed, not DELETE" in result.output


def test_query_parquet_needs_output(db: str, tmp_path: Path) -> None:
    assert run(db, "query", "select 1 as x", "--format", "parquet").exit_code == 2
    out = tmp_path / "q.parquet"
    sql = "select patient_id from patient_survival order by 1"
    result = run(db, "query", sql, "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out).height == 8


def test_export_writes_cohort_files(db: str, tmp_path: Path) -> None:
    run(db, "cohort", "build", str(EXAMPLE), "--name", "pg2")
    out = tmp_path / "out"
    result = run(db, "export", "--cohort", "pg2", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "codebook.csv", "codebook.md", "cohort_survival.csv", "load.R", "outcomes.csv", "patient_survival.csv",
        "timepoint_scores.csv", "treatments.csv",
    ]
    assert pl.read_csv(out / "patient_survival.csv")["patient_id"].to_list() == ["A1"]


def test_cohort_build_runs_as_a_process(db: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "netpet", "--db", db, "cohort", "build", str(EXAMPLE), "--name", "pg2"],
        capture_output=True, text=True, env=env, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "who_grade in (G2)" in done.stdout


def test_query_csv_to_a_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    sql = "select patient_id from patient_survival where site = 'london' order by 1"
    result = run(db, "query", sql, "-o", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert out.read_text() == "patient_id\nA3\nA4\n"
