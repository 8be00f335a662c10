"""The options every analysis command shares, and the labels and counts researchers read off the outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.analysis.outputs.swimmer import SCORE_MARKERS, swimmer_frames, swimmer_plot
from netpet.analysis.outputs.tables import FISHER_RESAMPLES, FISHER_SEED, TEST_FISHER_MC
from netpet.cli import cli
from netpet.registry import Registry
from tests.longitudinal_fixtures import add_patient

COHORTS = Path(__file__).resolve().parent.parent / "cohorts" / "examples"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_db(demo_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("even") / "demo.duckdb"
    shutil.copy(demo_registry, path)
    assert run("--db", str(path), "cohort", "build", str(COHORTS / "pancreatic.yaml"), "--name", "pancreatic",
               ).exit_code == 0
    return str(path)


@pytest.mark.parametrize("by", ["site", "sex"])
def test_km_groups_by_site_and_sex_as_cox_and_report_do(demo_db: str, by: str) -> None:
    result = run("--db", demo_db, "km", "--by", by, "--format", "json")
    assert result.exit_code == 0, result.output
    with Registry.open(demo_db, read_only=True) as reg:
        levels = reg.query(f"select distinct {by} from patient_survival where netpet_group <> 'P0'")[by]
    assert {g["group"] for g in json.loads(result.output)["groups"]} == set(levels.to_list())


def test_km_in_weeks_is_km_in_days_over_seven(demo_db: str) -> None:
    weeks = json.loads(run("--db", demo_db, "km", "--time-unit", "weeks", "--format", "json").output)
    days = json.loads(run("--db", demo_db, "km", "--time-unit", "days", "--format", "json").output)
    for w, d in zip(weeks["groups"], days["groups"], strict=True):
        assert w["median"] == pytest.approx(d["median"] / 7, rel=1e-12)


def test_report_takes_origin_and_at(demo_db: str, tmp_path: Path) -> None:
    result = run("--db", demo_db, "report", "--out", str(tmp_path), "--format", "png", "--origin", "diagnosis",
                 "--at", "12,36")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["origin"] == "diagnosis"
    at = pl.read_csv(tmp_path / "km_landmarks.csv")
    assert sorted(set(at["time"].to_list())) == [12.0, 36.0]
    from_diagnosis = json.loads(run("--db", demo_db, "km", "--origin", "diagnosis", "--at", "12,36",
                                    "--format", "json").output)
    p1 = at.filter(pl.col("group") == "P1").sort("time")["surv"].to_list()
    assert p1 == pytest.approx([r["surv"] for r in from_diagnosis["at"] if r["group"] == "P1"], rel=1e-12)


def test_time_varying_cox_states_intervals_and_patients(demo_db: str) -> None:
    result = run("--db", demo_db, "cox", "--time-varying")
    assert result.exit_code == 0, result.output
    with Registry.open(demo_db, read_only=True) as reg:
        counts = reg.query("select count(*) as rows, count(distinct patient_id) as patients from score_intervals "
                           "where netpet_group <> 'P0' and tstop_days > tstart_days")
    rows, patients = counts.row(0)
    assert f"n = {rows} intervals of {patients} patients" in result.output
    plain = run("--db", demo_db, "cox", "--covariates", "age_at_origin")
    assert "intervals" not in plain.output
    age = next(line for line in plain.output.splitlines() if line.startswith("| age_at_origin"))  # HR row
    assert age.rstrip(" |").endswith("per year")


def test_report_tables_state_per_what_unit_an_hr_is_and_the_fisher_seed(demo_db: str, tmp_path: Path) -> None:
    assert run("--db", demo_db, "report", "--out", str(tmp_path), "--format", "png").exit_code == 0
    cox = pl.read_csv(tmp_path / "cox_table.csv")
    assert cox.filter(pl.col("variable").str.starts_with("Age"))["level"].to_list() == ["per year"]
    # test_tables checks that a sparse table gets this test; its label states the resamples and the seed.
    assert f"{FISHER_RESAMPLES:,} tables, seed {FISHER_SEED}" in TEST_FISHER_MC


def test_audit_as_of_leaves_out_later_scans_and_patients(demo_db: str, tmp_path: Path) -> None:
    result = run("--db", demo_db, "audit", "--out", str(tmp_path), "--as-of", "2020-01-01")
    assert result.exit_code in (0, 1), result.output
    with Registry.open(demo_db, read_only=True) as reg:
        scans = reg.query("select count(*) as n from pet_scans where scan_date <= date '2020-01-01'")["n"][0]
        patients = reg.query("select count(*) as n from patients where diagnosis_date <= date '2020-01-01'")["n"][0]
        total = reg.row_counts()["pet_scans"]
    assert scans < total
    timeliness = pl.read_csv(tmp_path / "timeliness_by_year.csv", infer_schema=False)
    years = [int(y) for y in timeliness[timeliness.columns[0]].to_list() if y and y.isdigit()]
    assert years
    assert max(years) <= 2020
    completeness = pl.read_csv(tmp_path / "completeness_by_year.csv", infer_schema=False)
    years = [int(y) for y in completeness[completeness.columns[0]].to_list() if y and y.isdigit()]
    assert years
    assert max(years) <= 2020
    assert patients > 0


def _lanes(reg: Registry) -> None:
    add_patient(reg, "A", timepoints=[(0, 1), (100, 5)], death=300, progressions=[90])
    add_patient(reg, "B", timepoints=[(0, 5)], last_contact=600)
    add_patient(reg, "C", timepoints=[(30, 4)], last_contact=50)


@pytest.mark.parametrize(("sort", "order"), [("follow-up", ["B", "A", "C"]), ("id", ["A", "B", "C"]),
                                             ("origin", ["A", "B", "C"]), ("score", ["B", "C", "A"])])
def test_swimmer_sort_orders_and_picks_the_lanes(registries, sort: str, order: list[str]) -> None:
    with registries.open(_lanes) as reg:
        lanes = swimmer_frames(reg, sort=sort)["lanes"]
        assert lanes["patient_id"].to_list() == order
        assert swimmer_frames(reg, sort=sort, count=2)["lanes"]["patient_id"].to_list() == order[:2]
        ax = swimmer_plot(reg, sort=sort, hide_ids=True)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["3", "2", "1"]  # bottom to top: the first lane is on top, numbered 1
    assert not any(pid in labels for pid in order)


def test_swimmer_markers_tell_p4_p5_and_progression_apart(registries) -> None:
    with registries.open(_lanes) as reg:
        ax = swimmer_plot(reg, sort="id")
    markers = {c.get_gid(): c for c in ax.collections}
    p4, p5, progression = markers["timepoints:P4"], markers["timepoints:P5"], markers["progression"]
    assert SCORE_MARKERS["P4"][1] != SCORE_MARKERS["P5"][1] != "D"
    assert tuple(progression.get_edgecolor()[0][:3]) == (0.0, 0.0, 0.0)
    assert len(progression.get_facecolor()) == 0 or progression.get_facecolor()[0][3] == 0
    assert p4.get_paths()[0] != p5.get_paths()[0]


def test_swimmer_cli_takes_cohort_ids_sort_and_hide_ids(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "s.png"
    assert run("--db", demo_db, "swimmer", "--out", str(out), "--cohort", "pancreatic", "--patients", "5",
               "--sort", "score", "--hide-ids").exit_code == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert run("--db", demo_db, "swimmer", "--out", str(out), "--patients", "D0000001,D0000042").exit_code == 0
    both = run("--db", demo_db, "swimmer", "--out", str(out), "--patients", "D0000001", "--cohort", "pancreatic")
    assert both.exit_code == 2
    with Registry.open(demo_db, read_only=True) as reg:
        members = set(reg.query("select patient_id from cohort_members where cohort_name = 'pancreatic'")
                      ["patient_id"].to_list())
        lanes = swimmer_frames(reg, reg.query("select patient_id from cohort_members"), sort="score", count=5)
    assert set(lanes["lanes"]["patient_id"].to_list()) <= members


def test_transitions_take_a_cohort_and_a_time_unit(demo_db: str) -> None:
    from netpet.analysis.studies.transitions import score_transitions

    result = run("--db", demo_db, "transitions", "--cohort", "pancreatic", "--format", "json")
    assert result.exit_code == 0, result.output
    with Registry.open(demo_db, read_only=True) as reg:
        members = reg.query("select patient_id from cohort_members where cohort_name = 'pancreatic'")
        expected = score_transitions(reg, patients=members)
        everyone = score_transitions(reg)
    assert [r["n"] for r in json.loads(result.output)] == expected["n"].to_list()
    assert expected["n"].sum() < everyone["n"].sum()
    months = json.loads(run("--db", demo_db, "transitions", "--table", "time-in-score", "--format", "json").output)
    years = json.loads(run("--db", demo_db, "transitions", "--table", "time-in-score", "--time-unit", "years",
                           "--format", "json").output)
    for m, y in zip(months, years, strict=True):
        assert y["person_time"] == pytest.approx(m["person_time"] * 30.4375 / 365.25, rel=1e-12)
