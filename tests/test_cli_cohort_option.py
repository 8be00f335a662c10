"""`--cohort NAME` restricts `netpet km`, `netpet cox` and `netpet report` to a saved cohort's members.

The hand-built fixture registry (tests/cohort_fixtures.py) with the example cohort "pancreatic" (first dual-PET
timepoint, pancreatic primary, scored P1-P5 at entry) holds A1, A2 and A4: A1 P1 died 1430 days after its
first timepoint, A2 P1 was last seen alive 2466 days after, A4 P5 died 305 days after.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.cohorts import build_cohort, show_cohort
from tests.cohort_fixtures import fill_fixture

ROOT = Path(__file__).resolve().parent.parent
PANCREATIC = ROOT / "cohorts" / "examples" / "pancreatic.yaml"
MONTH = 30.4375


def run(db: str | Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def fixture_db(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The hand-built cohort fixture registry with a saved `pancreatic` cohort, on the module's backend."""
    path = registry_templates.copy(backend, tmp_path_factory.mktemp("cohort"), fill_fixture)
    with Registry.open(path) as reg:
        build_cohort(reg, PANCREATIC, "pancreatic")
    return path


@pytest.fixture(scope="module")
def demo_db(demo_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-cohort") / "demo.duckdb"
    shutil.copy(demo_registry, path)
    with Registry.open(path) as reg:
        build_cohort(reg, PANCREATIC, "pancreatic")
    return path


def test_km_with_cohort_fits_only_the_cohort_members(fixture_db: Path) -> None:
    result = run(fixture_db, "km", "--cohort", "pancreatic", "--format", "json")
    assert result.exit_code == 0, result.output
    groups = {g["group"]: g for g in json.loads(result.output)["groups"]}
    assert {name: (g["n"], g["events"]) for name, g in groups.items()} == {"P1": (2, 1), "P5": (1, 1)}
    # P1: A1's death at 1430 days leaves survival at exactly 0.5 until A2's censoring at 2466 days; R's
    # survfit then takes the middle of that flat stretch as the median. P5: A4 dies at 305 days.
    assert groups["P1"]["median"] == pytest.approx((1430 + 2466) / 2 / MONTH)
    assert groups["P5"]["median"] == pytest.approx(305 / MONTH)


def test_km_without_cohort_still_uses_the_whole_registry(fixture_db: Path) -> None:
    result = run(fixture_db, "km", "--format", "json")
    groups = {g["group"]: g["n"] for g in json.loads(result.output)["groups"]}
    assert groups == {"P1": 2, "P2-4": 2, "P5": 2}  # A1, A2 / A3, A5 / A4, A7


def test_cox_with_cohort_analyses_exactly_the_cohort_members(demo_db: Path) -> None:
    with Registry.open(demo_db, read_only=True) as reg:
        members = show_cohort(reg, "pancreatic")["member_count"][0]
    whole = json.loads(run(demo_db, "cox", "--format", "json").output)
    result = run(demo_db, "cox", "--cohort", "pancreatic", "--covariates", "age_at_origin", "--format", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # Every member was scored P1-P5 at entry (a criterion of the cohort), so none is excluded.
    assert summary["n"] == members
    assert summary["excluded"] == {}
    assert summary["n"] < whole["n"]


def test_report_with_cohort_records_the_cohort(demo_db: Path, tmp_path: Path) -> None:
    result = run(demo_db, "report", "--out", str(tmp_path), "--cohort", "pancreatic", "--format", "png")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    with Registry.open(demo_db, read_only=True) as reg:
        cohort = show_cohort(reg, "pancreatic").row(0, named=True)
    assert manifest["cohort"]["name"] == "pancreatic"
    assert manifest["cohort"]["definition_sha256"] == cohort["definition_sha256"]
    assert manifest["options"]["cohort"] == "pancreatic"
    assert manifest["numbers"]["patients_analysed"] == cohort["member_count"]


@pytest.mark.parametrize("command", ["km", "cox", "report"])
def test_unknown_cohort_is_a_clear_error(fixture_db: Path, tmp_path: Path, command: str) -> None:
    out = ["--out", str(tmp_path / "report")] if command == "report" else []
    result = CliRunner().invoke(cli, ["--db", str(fixture_db), command, *out, "--cohort", "nope"])
    assert result.exit_code == 1
    assert "no cohort named 'nope'; saved: pancreatic" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "report").exists()
