"""`netpet validate` end to end on a copy of the demo registry: the printed contract, the report folder, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netpet.cli import cli
from netpet.registry.backup import file_sha256

SCHEMES = "netpet_group,karfis,fdg_status,who_grade,bjc2023"
FIGURES = ("km_by_scheme", "concordance", "calibration")
TABLES = ("schemes", "auc", "medians", "rmst", "rmst_differences", "comparisons", "likelihood_ratio", "optimism",
          "calibration", "km_curves")


@pytest.fixture(scope="module")
def demo_db(demo_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("validate-db") / "demo.duckdb"
    shutil.copy(demo_registry, path)
    return path


def _run(demo_db: Path, out: Path, *options: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(demo_db), "validate", "--out", str(out), *options])


@pytest.fixture(scope="module")
def run(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("validate") / "out"
    result = _run(demo_db, out, "--endpoint", "ttp", "--schemes", SCHEMES, "--at", "12,24", "--bootstrap", "3",
                  "--seed", "5", "--format", "json")
    return result, out


def test_json_output_is_the_contract(run: tuple[Result, Path]) -> None:
    result, _ = run
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert (payload["endpoint"], payload["origin"], payload["time_unit"]) == ("ttp", "first-timepoint", "months")
    assert [s["scheme"] for s in payload["schemes"]] == SCHEMES.split(",")
    assert [a["time"] for a in payload["schemes"][0]["auc"]] == [12.0, 24.0]
    assert [o["scheme"] for o in payload["optimism"]] == SCHEMES.split(",")
    assert payload["excluded"] == {"P0 (no measurable disease)": 30, "no lesion reads at the first timepoint": 97}


def test_the_folder_holds_the_report_figures_tables_and_manifest(run: tuple[Result, Path]) -> None:
    _, out = run
    names = {p.name for p in out.iterdir()}
    expected = {"validation.md", "manifest.json", *(f"{t}.csv" for t in TABLES),
                *(f"{f}.{ext}" for f in FIGURES for ext in ("pdf", "png"))}
    assert names == expected
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == {name: file_sha256(out / name) for name in sorted(expected - {"manifest.json"})}
    assert manifest["options"]["schemes"] == SCHEMES.split(",")
    assert manifest["numbers"]["endpoint"] == "ttp"
    assert manifest["registry"]["backend"] == "duckdb"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_validation_md_states_the_tripod_items_and_every_measure(run: tuple[Result, Path]) -> None:
    _, out = run
    text = (out / "validation.md").read_text(encoding="utf-8")
    for heading in ("## Source of data", "## Participants", "## Outcome", "## Predictors", "## Missing data",
                    "## Statistical analysis", "### Discrimination", "### Difference in C from netpet_group",
                    "### Time-dependent AUC (95% CI)", "### Calibration: predicted and observed survival"):
        assert heading in text, heading
    assert "paired within 31 days" in text
    assert "score source was `auto`" in text
    assert "Excluded: P0 (no measurable disease): 30; no lesion reads at the first timepoint: 97." in text
    assert "Karfis et al., Oncotarget 2020" in text


def test_a_second_run_replaces_the_folder_as_a_whole(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.csv").write_text("old", encoding="utf-8")
    result = _run(demo_db, out, "--schemes", "netpet_group,who_grade", "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    assert not (out / "stale.csv").exists()
    assert (out / "validation.md").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_the_table_format_prints_one_row_per_scheme(demo_db: Path, tmp_path: Path) -> None:
    result = _run(demo_db, tmp_path / "out", "--schemes", "netpet_group,who_grade", "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    first, *rows = result.stdout.splitlines()
    assert first.startswith("OS; excluded: P0 (no measurable disease): 30; RMST horizon ")
    assert sum(line.startswith("| netpet_group") or line.startswith("| who_grade") for line in rows) == 2


def test_an_unknown_scheme_fails_listing_the_known_ones_and_writes_nothing(demo_db: Path, tmp_path: Path) -> None:
    result = _run(demo_db, tmp_path / "out", "--schemes", "netpet_group,zidna")
    assert result.exit_code == 1
    assert "Error: unknown scheme(s) zidna; known schemes: netpet_group, netpet_score, karfis, zidan" in result.output
    assert not (tmp_path / "out").exists()


def test_zidan_runs_on_the_demo_and_differs_from_the_netpet_group(demo_db: Path, tmp_path: Path) -> None:
    """The demo's Krenning scores give all four Zidan classes; timepoints the table leaves out are counted apart."""
    result = _run(demo_db, tmp_path / "out", "--schemes", "netpet_group,zidan,karfis", "--bootstrap", "0",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    undefined = "Zidan class not defined (some lesions above liver, some not; no FDG+ lesion at or below liver)"
    assert report["excluded"][undefined] > 0
    by_name = {s["scheme"]: s for s in report["schemes"]}
    assert [r["level"] for r in by_name["zidan"]["rmst"]] == ["Z1", "Z2", "Z3", "Z4"]
    assert by_name["zidan"]["harrell_c"] != pytest.approx(by_name["netpet_group"]["harrell_c"], abs=0.01)
    assert by_name["karfis"]["harrell_c"] == pytest.approx(by_name["netpet_group"]["harrell_c"])


def test_the_help_lists_zidan() -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert "karfis, zidan, fdg_status" in " ".join(result.output.split())


@pytest.mark.parametrize("at", ["12,x", "0,12", ""])
def test_bad_times_are_a_usage_error(demo_db: Path, tmp_path: Path, at: str) -> None:
    result = _run(demo_db, tmp_path / "out", "--at", at)
    assert result.exit_code == 2
    assert "Invalid value for '--at'" in result.output


def test_a_scheme_that_cannot_be_measured_is_reported_and_the_rest_run(demo_db: Path, tmp_path: Path) -> None:
    """In a cohort of G1 patients WHO grade has one level: it is set aside, the NETPET group still measured."""
    from netpet.registry import Registry
    from netpet.registry.cohorts import build_cohort

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    with Registry.open(db) as reg:
        build_cohort(reg, {"entry": "first_dual_pet", "include": [{"who_grade": ["G1"]}]}, name="g1")
    result = _run(db, tmp_path / "out", "--cohort", "g1", "--schemes", "netpet_group,who_grade", "--bootstrap", "0")
    assert result.exit_code == 0, result.output
    assert "scheme who_grade set aside: who_grade take a single value among the analysed patients" in result.stderr


def test_the_installed_command_runs_as_a_process(demo_db: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "netpet", "--db", str(demo_db), "validate", "--out", str(tmp_path / "v"),
         "--schemes", "netpet_group,fdg_status", "--bootstrap", "2", "--format", "json"],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert [s["scheme"] for s in json.loads(done.stdout)["schemes"]] == ["netpet_group", "fdg_status"]
    assert (tmp_path / "v" / "validation.md").exists()
