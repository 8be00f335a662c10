"""A pilot site's registry of 7 patients: `netpet cox` and `netpet report` behave as R does (issue 15, defect 6).

R's coxph on these patients warns "Ran out of iterations and did not converge" (tests/reference/small, with
the R script): its estimates (hazard ratios of 1e-23 and 4e31) are undefined. Our outputs carry the warning
in the table, the JSON and report.md, and show the estimates as not estimable; no NaN p value crashes a
writer, and the report's folder is written whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.analysis.outputs.tables import cox_table, to_markdown
from netpet.analysis.studies.cox_warnings import NOT_ESTIMABLE, estimable_row
from netpet.cli import cli
from netpet.registry.demo import build_demo_registry

REFERENCE = Path(__file__).parent / "reference" / "small"
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def pilot_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The 7-patient demo registries of tests/reference/small/pilot_sites.csv, built through the importer."""
    folder = tmp_path_factory.mktemp("pilot")
    paths = {}
    for seed in SEEDS:
        paths[seed] = folder / f"pilot{seed}.duckdb"
        build_demo_registry(paths[seed], folder / f"data{seed}", patients=7, seed=seed)
    return paths


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def r_fits(seed: int) -> pl.DataFrame:
    return pl.read_csv(REFERENCE / "r_fits.csv").filter(pl.col("seed") == seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_rows_are_those_r_was_given(pilot_sites: dict[int, Path], seed: int) -> None:
    payload = json.loads(run(pilot_sites[seed], "cox", "--covariates", "who_grade", "--format", "json"))
    rows = pl.read_csv(REFERENCE / "pilot_sites.csv").filter(pl.col("seed") == seed)
    assert payload["n"] == rows.height == 7
    assert payload["events"] == rows["event"].sum()
    assert len(payload["terms"]) == r_fits(seed).height


@pytest.mark.parametrize("seed", SEEDS)
def test_cox_json_warns_where_r_warns_and_marks_the_estimates(pilot_sites: dict[int, Path], seed: int) -> None:
    payload = json.loads(run(pilot_sites[seed], "cox", "--covariates", "who_grade", "--format", "json"))
    r_warning = r_fits(seed)["warnings"][0]
    assert r_warning == "Ran out of iterations and did not converge"
    assert payload["converged"] is False
    assert any("Ran out of iterations" in text for text in payload["warnings"])
    assert [term["estimable"] for term in payload["terms"]] == [False] * len(payload["terms"])


@pytest.mark.parametrize("seed", SEEDS)
def test_cox_table_shows_the_warning_and_no_estimates(pilot_sites: dict[int, Path], seed: int) -> None:
    text = run(pilot_sites[seed], "cox", "--covariates", "who_grade")
    assert "warning: Ran out of iterations" in text
    coefficient_rows = [line for line in text.splitlines() if line.startswith(("| netpet_group=", "| who_grade="))]
    assert coefficient_rows
    assert all(NOT_ESTIMABLE in line and "e+" not in line and "e-" not in line for line in coefficient_rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_report_writes_whole_with_the_warning_in_report_md(pilot_sites: dict[int, Path], seed: int,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "report"
    run(pilot_sites[seed], "report", "--out", str(out), "--format", "png")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) | {"manifest.json"} == {p.name for p in out.iterdir()}
    numbers = manifest["numbers"]
    assert numbers["cox_warnings"]
    assert numbers["cox_not_estimable"]
    index = (out / "report.md").read_text(encoding="utf-8")
    assert "> **Warning** (as R's coxph warns):" in index
    assert NOT_ESTIMABLE in index
    assert NOT_ESTIMABLE in (out / "cox_table.md").read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_nan_p_values_print_as_na_not_an_error() -> None:
    terms = pl.DataFrame({"term": ["x", "y"], "coef": [0.1, 40.0], "se": [0.05, float("nan")],
                          "hr": [1.105, 2.4e17], "hr_lower": [1.0, float("nan")], "hr_upper": [1.22, float("nan")],
                          "z": [2.0, float("nan")], "p": [0.0456, float("nan")], "estimable": [True, False]})
    table = cox_table(terms)
    assert table.filter(pl.col("variable") == "y")["HR (95% CI)"].to_list() == [NOT_ESTIMABLE]
    assert table.filter(pl.col("variable") == "x")["p"].to_list() == ["0.046"]
    assert "| NA |" in to_markdown(pl.DataFrame({"test": ["wald"], "p": [float("nan")]}))


def test_a_row_is_estimable_only_with_finite_ordered_numbers() -> None:
    good = {"hr": 2.0, "hr_lower": 1.5, "hr_upper": 2.5, "p": 0.01, "estimable": True}
    assert estimable_row(good)
    assert not estimable_row(good | {"estimable": False})
    assert not estimable_row(good | {"hr_upper": float("inf")})
    assert not estimable_row(good | {"hr_lower": 0.0})
    assert not estimable_row(good | {"p": None})
