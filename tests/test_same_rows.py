"""`netpet km`, `cox` and `report` analyse the same patients, and say so with the same exclusions (issue 15, 2).

On a copy of the demo registry in which one patient dies on the day of their first dual-PET timepoint: from
diagnosis that patient's (entry, time] interval is empty, and R's `Surv(entry, time, event)` makes the row NA,
so `survfit` and `coxph` both drop it (R: n = 1999 of 2000 in the issue). Every command must drop it too, under
one reason, for every origin and endpoint; from the first timepoint (`Surv(time, event)`, time 0) it is kept.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.analysis.studies.frames import ENDPOINTS, NO_FOLLOWUP_AFTER_ENTRY, ORIGINS
from netpet.cli import cli
from netpet.registry import Registry
from tests.conftest import refresh_written_rows

#: The patient made to die on the day of their first timepoint (scored P1-P5, one timepoint, dead).
PATIENT_SQL = """
    select patient_id from patient_survival
    where os_event and timepoint_count = 1 and netpet_group in ('P1', 'P2-4', 'P5')
      and diagnosis_date < origin_date and who_grade is not null and age_at_origin is not null
    order by patient_id limit 1
"""


@pytest.fixture(scope="module")
def same_day_db(demo_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo registry with one patient's death moved to their first timepoint's date."""
    path = tmp_path_factory.mktemp("same-rows") / "demo.duckdb"
    shutil.copy(demo_registry, path)
    with Registry.open(path) as reg:
        patient = reg.query(PATIENT_SQL)["patient_id"][0]
        with reg.transaction() as con:
            con.execute(
                "update outcomes set outcome_date = (select origin_date from patient_survival where patient_id = ?)"
                " where patient_id = ? and outcome = 'death'", [patient, patient])
        refresh_written_rows(reg)
        row = reg.query("select os_days, pfs_days, ttp_days from patient_survival where patient_id = $id",
                        {"id": patient}).row(0)
    assert row == (0, 0, 0)
    return path


def run_json(db: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--db", str(db), *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def run_report(db: Path, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--db", str(db), "report", "--out", str(out), "--format", "png", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["numbers"]


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("origin", ORIGINS)
def test_km_cox_and_report_count_the_same_patients(same_day_db: Path, tmp_path: Path, origin: str,
                                                   endpoint: str) -> None:
    where = ["--origin", origin, "--endpoint", endpoint]
    km = run_json(same_day_db, "km", *where)
    cox = run_json(same_day_db, "cox", *where)
    report = run_report(same_day_db, tmp_path / "report", *where, "--covariates", "")
    km_n = sum(group["n"] for group in km["groups"])
    assert km_n == cox["n"] == report["patients_analysed"] == report["cox_n"]
    assert km["excluded"] == cox["excluded"] == report["excluded"]
    empty = km["excluded"].get(NO_FOLLOWUP_AFTER_ENTRY, 0)
    assert empty == (1 if origin == "diagnosis" else 0)
    with Registry.open(same_day_db, read_only=True) as reg:
        total = reg.query("select count(*) as n from patient_survival")["n"][0]
    assert km_n + sum(km["excluded"].values()) == total


def test_with_covariates_cox_and_report_agree(same_day_db: Path, tmp_path: Path) -> None:
    where = ["--origin", "diagnosis", "--endpoint", "os"]
    cox = run_json(same_day_db, "cox", *where, "--covariates", "who_grade,age_at_origin")
    report = run_report(same_day_db, tmp_path / "report", *where, "--covariates", "who_grade,age_at_origin")
    assert cox["n"] == report["cox_n"] == report["patients_analysed"]
    assert cox["excluded"] == report["excluded"]
    assert cox["excluded"][NO_FOLLOWUP_AFTER_ENTRY] == 1


def test_the_flow_diagram_counts_the_empty_interval_at_the_follow_up_step(same_day_db: Path, tmp_path: Path) -> None:
    run_report(same_day_db, tmp_path / "report", "--origin", "diagnosis", "--covariates", "")
    flow = (tmp_path / "report" / "cohort_flow.csv").read_text(encoding="utf-8").splitlines()
    step = next(line for line in flow if NO_FOLLOWUP_AFTER_ENTRY in line)
    assert step.split(",")[1] == "With follow-up"
    assert "from diagnosis" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
