"""`netpet km` on a small registry filled with SQL inserts: the JSON contract, table and CSV output."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.analysis.survival.logrank import logrank_test
from netpet.cli import cli

ORIGIN = date(2021, 1, 4)  # every first timepoint: SSTR scan 2021-01-01, FDG scan 2021-01-04
DIAGNOSIS = date(2020, 1, 1)  # 369 days before the origin
MONTH = 30.4375

#: patient -> (recorded NETPET score, outcome, days from the first timepoint)
PATIENTS: dict[str, tuple[int, str, int]] = {
    "A1": (1, "death", 400), "A2": (1, "last_contact", 800), "A3": (1, "death", 1200),
    "A4": (1, "last_contact", 1500),
    "B1": (2, "death", 200), "B2": (3, "death", 500), "B3": (4, "last_contact", 600), "B4": (3, "death", 900),
    "C1": (5, "death", 100), "C2": (5, "death", 200), "C3": (5, "last_contact", 300),
    "D1": (0, "last_contact", 500),
}


@pytest.fixture(scope="module")
def km_registry(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry of 13 patients: P1 x4, P2-4 x4, P5 x3, P0 x1 and one without any dual-PET timepoint.

    Built once for the module on each backend: `netpet km` opens it read-only, so tests cannot change it.
    """
    return registry_templates.copy(backend, tmp_path_factory.mktemp("km"), fill_km)


def fill_km(reg) -> None:
    """Write the 13 patients of `km_registry`."""
    with reg.transaction() as con:
        for pid, (score, outcome, days) in [*PATIENTS.items(), ("E1", (None, "last_contact", 50))]:
            con.execute(
                "insert into patients (patient_id, diagnosis_date, primary_site, who_grade) "
                "values ($p, $d, 'pancreas', 'G2')", {"p": pid, "d": DIAGNOSIS})
            con.execute("insert into outcomes (patient_id, outcome, outcome_date) values ($p, $o, $d)",
                        {"p": pid, "o": outcome, "d": ORIGIN + timedelta(days=days)})
            if score is None:
                continue
            con.execute(
                "insert into pet_scans (scan_id, patient_id, tracer, scan_date) values "
                "($s, $p, 'ga68_dotatate', $d1), ($f, $p, 'fdg', $d2)",
                {"s": f"{pid}-S", "f": f"{pid}-F", "p": pid, "d1": date(2021, 1, 1), "d2": ORIGIN})
            con.execute(
                "insert into timepoints (timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, "
                "recorded_score) values ($t, $p, $s, $f, $score)",
                {"t": f"{pid}-T1", "p": pid, "s": f"{pid}-S", "f": f"{pid}-F", "score": score})


def run_km(db: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["km", "--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.output


def hand_frame() -> pl.DataFrame:
    """The analysable rows written out by hand from PATIENTS (months, by NETPET group)."""
    groups = {1: "P1", 2: "P2-4", 3: "P2-4", 4: "P2-4", 5: "P5"}
    rows = [(days / MONTH, int(outcome == "death"), groups[score])
            for score, outcome, days in PATIENTS.values() if score]
    return pl.DataFrame(rows, schema=["time", "event", "group"], orient="row")


def test_json_output_keeps_the_contract(km_registry: str) -> None:
    payload = json.loads(run_km(km_registry, "--format", "json"))
    assert {"groups", "logrank", "time_unit", "conf_type", "endpoint", "origin"} <= set(payload)
    assert (payload["time_unit"], payload["conf_type"], payload["endpoint"], payload["origin"]) == (
        "months", "log", "os", "first-timepoint")
    group_keys = {"group", "n", "events", "median", "median_lower", "median_upper", "table"}
    assert set(payload["groups"][0]) == group_keys
    row_keys = {"time", "n_risk", "n_event", "n_censor", "surv", "lower", "upper"}
    assert set(payload["groups"][0]["table"][0]) == row_keys
    assert set(payload["logrank"]) == {"chisq", "df", "p"}


def test_json_groups_counts_and_p5_curve_match_hand_computation(km_registry: str) -> None:
    """P5: deaths at 100 and 200 days, censored at 300: S = 2/3 then 1/3, median 200 days.
    P1: deaths at 400 and 1200 days, censored at 800 and 1500: S = 3/4 then 3/8, median 1200 days.
    """
    payload = json.loads(run_km(km_registry, "--format", "json"))
    groups = {g["group"]: g for g in payload["groups"]}
    assert [g["group"] for g in payload["groups"]] == ["P1", "P2-4", "P5"]
    assert [(g["n"], g["events"]) for g in payload["groups"]] == [(4, 2), (4, 3), (3, 2)]
    p5 = groups["P5"]
    assert p5["median"] == pytest.approx(200 / MONTH)
    counts = [(r["n_risk"], r["n_event"], r["n_censor"]) for r in p5["table"]]
    assert counts == [(3, 1, 0), (2, 1, 0), (1, 0, 1)]
    assert [r["surv"] for r in p5["table"]] == pytest.approx([2 / 3, 1 / 3, 1 / 3])
    assert groups["P1"]["median"] == pytest.approx(1200 / MONTH)


def test_json_tests_equal_the_library_on_the_same_rows(km_registry: str) -> None:
    payload = json.loads(run_km(km_registry, "--format", "json"))
    expected = logrank_test(hand_frame(), levels=["P1", "P2-4", "P5"])
    assert payload["logrank"]["df"] == 2
    logrank = payload["logrank"]
    assert (logrank["chisq"], logrank["p"]) == pytest.approx((expected.chisq, expected.p))
    assert payload["trend"]["df"] == 1
    assert [(p["group1"], p["group2"]) for p in payload["pairwise"]] == [("P1", "P2-4"), ("P1", "P5"),
                                                                         ("P2-4", "P5")]


def test_json_counts_every_excluded_patient(km_registry: str) -> None:
    payload = json.loads(run_km(km_registry, "--format", "json"))
    assert payload["excluded"] == {"no dual-PET timepoint": 1, "P0 (no measurable disease)": 1}


def test_survival_at_requested_times_drops_times_past_follow_up(km_registry: str) -> None:
    """P5 is followed to 300 days (9.9 months): at 6 months S = 2/3; at 12 months no P5 row."""
    payload = json.loads(run_km(km_registry, "--format", "json", "--at", "6,12"))
    p5 = [row for row in payload["at"] if row["group"] == "P5"]
    assert [row["time"] for row in p5] == [6.0]
    assert p5[0]["surv"] == pytest.approx(2 / 3)
    assert {row["group"] for row in payload["at"] if row["time"] == 12.0} == {"P1", "P2-4"}


def test_origin_diagnosis_uses_delayed_entry_and_days(km_registry: str) -> None:
    """From diagnosis every patient enters at 369 days, so the P5 median is 369 + 200 days."""
    output = run_km(km_registry, "--format", "json", "--origin", "diagnosis", "--time-unit", "days")
    payload = json.loads(output)
    p5 = next(g for g in payload["groups"] if g["group"] == "P5")
    assert payload["delayed_entry"] is True
    assert p5["median"] == pytest.approx(569.0)
    assert p5["table"][0]["n_risk"] == 3


def test_by_score_names_groups_p0_to_p5_present(km_registry: str) -> None:
    payload = json.loads(run_km(km_registry, "--format", "json", "--by", "netpet_score"))
    assert [g["group"] for g in payload["groups"]] == ["P0", "P1", "P2", "P3", "P4", "P5"]


def test_by_none_is_one_curve_with_nothing_to_test(km_registry: str) -> None:
    payload = json.loads(run_km(km_registry, "--format", "json", "--by", "none"))
    assert [(g["group"], g["n"]) for g in payload["groups"]] == [("all", 12)]
    assert payload["logrank"] == {"chisq": 0.0, "df": 0, "p": None}


def test_table_output_shows_summary_tests_and_exclusions(km_registry: str) -> None:
    output = run_km(km_registry, "--at", "12", "--conf-type", "log-log")
    assert "log-log" in output
    assert "Log-rank (survdiff): chisq = " in output
    assert "Test for trend" in output
    assert "Survival at chosen times" in output
    assert "Excluded patients: no dual-PET timepoint: 1, P0 (no measurable disease): 1" in output


def test_csv_output_is_the_curve_table(km_registry: str) -> None:
    lines = run_km(km_registry, "--format", "csv").splitlines()
    assert lines[0] == "group,time,n_risk,n_event,n_censor,surv,std_err,lower,upper"
    assert len(lines) == 1 + 11  # 11 patients, all times distinct within their group


def test_missing_registry_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["km", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "netpet init" in result.output


def test_bad_at_list_is_a_usage_error(km_registry: str) -> None:
    result = CliRunner().invoke(cli, ["km", "--db", km_registry, "--at", "12,two"])
    assert result.exit_code == 2
    assert "comma-separated list of times" in result.output
