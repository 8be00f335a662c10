"""`netpet cox` on a small registry filled with SQL inserts agrees with R's coxph on the same patients."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from tests.cox_fixtures import REFERENCE

REL = 1e-6

INSERTS = {
    "patients": "insert into patients (patient_id, site, sex, birth_date, diagnosis_date, primary_site, "
    "who_grade, ki67_percent) values ($patient_id, $site, $sex, $birth_date, $diagnosis_date, $primary_site, "
    "$who_grade, $ki67_percent)",
    "pet_scans": "insert into pet_scans (scan_id, patient_id, tracer, scan_date) "
    "values ($scan_id, $patient_id, $tracer, $scan_date)",
    "timepoints": "insert into timepoints "
    "(timepoint_id, patient_id, sstr_scan_id, fdg_scan_id, recorded_score) "
    "values ($timepoint_id, $patient_id, $sstr_scan_id, $fdg_scan_id, $recorded_score)",
    "outcomes": "insert into outcomes (patient_id, outcome, outcome_date) "
    "values ($patient_id, $outcome, $outcome_date)",
}


@pytest.fixture(scope="module")
def cox_registry(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The 36 patients of tests/reference/cox/registry_patients.csv (written by make_reference.R): one
    timepoint each (SSTR scan on scan_date, FDG scan 3 days before), one outcome each; two are P0."""
    return registry_templates.copy(backend, tmp_path_factory.mktemp("cox"), fill_cox)


def fill_cox(reg: Registry) -> None:
    """Write the 36 reference patients of `cox_registry`."""
    rows = pl.read_csv(REFERENCE / "registry_patients.csv", try_parse_dates=True).to_dicts()
    with reg.transaction() as con:
        for r in rows:
            pid = r["patient_id"]
            con.execute(INSERTS["patients"], {k: r[k] for k in (
                "patient_id", "site", "sex", "birth_date", "diagnosis_date", "primary_site", "who_grade",
                "ki67_percent")})
            con.execute(INSERTS["pet_scans"], {"scan_id": f"{pid}-S", "patient_id": pid,
                                               "tracer": "ga68_dotatate", "scan_date": r["scan_date"]})
            con.execute(INSERTS["pet_scans"], {"scan_id": f"{pid}-F", "patient_id": pid, "tracer": "fdg",
                                               "scan_date": r["scan_date"] - timedelta(days=3)})
            con.execute(INSERTS["timepoints"], {"timepoint_id": f"{pid}-T1", "patient_id": pid,
                                                "sstr_scan_id": f"{pid}-S", "fdg_scan_id": f"{pid}-F",
                                                "recorded_score": r["recorded_score"]})
            con.execute(INSERTS["outcomes"], {"patient_id": pid, "outcome": r["outcome"],
                                              "outcome_date": r["outcome_date"]})


def run_cox(db: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["cox", "--db", db, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def check_against_r(payload: dict, case: str) -> None:
    coef = pl.read_csv(REFERENCE / f"{case}_coef.csv", null_values="NA")
    fit = pl.read_csv(REFERENCE / f"{case}_fit.csv").row(0, named=True)
    zph = pl.read_csv(REFERENCE / f"{case}_zph.csv")
    terms = payload["terms"]
    expected_names = [t.replace("netpet_group", "netpet_group=").replace("who_grade", "who_grade=")
                      for t in coef["term"]]
    assert [t["term"] for t in terms] == expected_names
    assert [t["coef"] for t in terms] == pytest.approx(coef["coef"].to_list(), rel=REL)
    assert [t["se"] for t in terms] == pytest.approx(coef["se"].to_list(), rel=REL)
    if coef["robust_se"].null_count() == 0:
        assert [t["robust_se"] for t in terms] == pytest.approx(coef["robust_se"].to_list(), rel=REL)
    assert (payload["n"], payload["events"]) == (fit["n"], fit["events"])
    assert payload["loglik"] == pytest.approx(fit["loglik"], rel=REL)
    for key, column in (("likelihood_ratio", "lr"), ("wald", "wald"), ("score", "score")):
        assert payload["tests"][key]["chisq"] == pytest.approx(fit[column], rel=REL)
    assert payload["concordance"] == pytest.approx(fit["concordance"], rel=REL)
    assert payload["concordance_se"] == pytest.approx(fit["concordance_se"], rel=REL)
    assert [t["term"] for t in payload["ph_test"]] == zph["term"].to_list()
    assert [t["chisq"] for t in payload["ph_test"]] == pytest.approx(zph["chisq"].to_list(), rel=REL)


def test_cox_by_netpet_group_with_ki67_matches_r(cox_registry: str) -> None:
    """R: coxph(Surv(time, event) ~ netpet_group + ki67_percent, data = reg_in), time = OS months from
    the timepoint, P0 excluded (make_reference.R, registry_group_ki67)."""
    payload = run_cox(cox_registry, "--covariates", "ki67_percent")
    check_against_r(payload, "registry_group_ki67")
    assert payload["excluded"] == {"P0 (no measurable disease)": 2}
    assert payload["reference"] == {"netpet_group": "P1"}


def test_cox_from_diagnosis_uses_delayed_entry_as_r(cox_registry: str) -> None:
    """R: coxph(Surv(entry, time_dx, event) ~ netpet_group + ki67_percent, data = reg_in), entry and
    time_dx in months from diagnosis (make_reference.R, registry_diagnosis)."""
    payload = run_cox(cox_registry, "--covariates", "ki67_percent", "--origin", "diagnosis")
    check_against_r(payload, "registry_diagnosis")
    assert payload["origin"] == "diagnosis"


def test_cox_with_strata_and_breslow_ties_matches_r(cox_registry: str) -> None:
    """R: coxph(Surv(time, event) ~ netpet_group + who_grade + strata(site), data = reg_in,
    ties = "breslow")."""
    payload = run_cox(cox_registry, "--covariates", "who_grade", "--strata", "site", "--ties", "breslow")
    check_against_r(payload, "registry_strata_site")
    assert payload["ties"] == "breslow"


def test_cox_with_cluster_matches_r_robust_variance(cox_registry: str) -> None:
    """R: coxph(Surv(time, event) ~ netpet_group, data = reg_in, cluster = site)."""
    payload = run_cox(cox_registry, "--cluster", "site")
    check_against_r(payload, "registry_cluster_site")
    assert payload["robust"] is True
    assert "robust_score" in payload["tests"]


def test_json_has_the_contract_keys(cox_registry: str) -> None:
    payload = run_cox(cox_registry)
    contract = {"terms", "n", "events", "loglik", "concordance", "concordance_se", "tests", "ph_test"}
    assert contract <= set(payload)
    assert set(payload["terms"][0]) >= {"term", "coef", "se", "hr", "hr_lower", "hr_upper", "z", "p"}
    assert set(payload["tests"]) >= {"likelihood_ratio", "wald", "score"}
    assert set(payload["tests"]["wald"]) == {"chisq", "df", "p"}
    assert set(payload["ph_test"][0]) == {"term", "chisq", "df", "p"}


#: The ``netpet cox --format json`` contract: top-level and term keys, in order (issue 16 keeps them byte for byte).
CONTRACT = ["terms", "n", "events", "loglik", "loglik_null", "concordance", "concordance_se", "tests", "ph_test",
            "ties", "reference", "robust", "iterations", "converged", "notes", "excluded", "endpoint", "origin",
            "time_unit", "warnings", "patients"]
TERM_KEYS = ["term", "coef", "se", "hr", "hr_lower", "hr_upper", "z", "p", "estimable"]


def test_json_keys_are_pinned_in_order(cox_registry: str) -> None:
    plain, clustered = run_cox(cox_registry), run_cox(cox_registry, "--cluster", "site")
    assert list(plain) == CONTRACT
    assert list(clustered) == CONTRACT
    assert [list(t) for t in plain["terms"]] == [TERM_KEYS] * len(plain["terms"])
    assert list(clustered["terms"][0]) == [*TERM_KEYS[:-1], "robust_se", "estimable"]
    assert list(plain["tests"]) == ["likelihood_ratio", "wald", "score"]
    assert list(clustered["tests"]) == ["likelihood_ratio", "wald", "score", "robust_score"]
    assert list(plain["ph_test"][0]) == ["term", "chisq", "df", "p"]


def test_the_cox_analysis_is_a_frozen_report_whose_dict_is_the_json(cox_registry: str) -> None:
    from netpet.analysis.serialise import to_json
    from netpet.analysis.studies.cox_analysis import CoxReport, cox_analysis
    from netpet.analysis.studies.selection import cox_selection

    with Registry.open(cox_registry, read_only=True) as reg:
        data = cox_selection(reg, cluster="site")
    report = cox_analysis(data, cluster="site")
    assert isinstance(report, CoxReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.n = 0  # type: ignore[misc]
    assert report.terms[0].robust_se is not None
    assert report.tests["wald"].df == 2
    printed = CliRunner().invoke(cli, ["cox", "--db", cox_registry, "--format", "json", "--cluster", "site"]).output
    assert printed == to_json(report.to_dict()) + "\n"


def test_chosen_reference_renames_the_terms(cox_registry: str) -> None:
    payload = run_cox(cox_registry, "--reference", "P5")
    assert [t["term"] for t in payload["terms"]] == ["netpet_group=P1", "netpet_group=P2-4"]


def test_table_output_shows_coefficients_tests_and_ph_test(cox_registry: str) -> None:
    result = CliRunner().invoke(cli, ["cox", "--db", cox_registry, "--covariates", "ki67_percent"])
    assert result.exit_code == 0, result.output
    for text in ("netpet_group=P5", "likelihood_ratio", "GLOBAL", "concordance", "n = 34, events = 24"):
        assert text in result.output


def test_csv_output_is_the_coefficient_table(cox_registry: str) -> None:
    result = CliRunner().invoke(cli, ["cox", "--db", cox_registry, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "term,coef,se,hr,hr_lower,hr_upper,z,p,estimable"
    assert all(line.endswith(",true") for line in result.output.splitlines()[1:])


def test_unknown_reference_is_a_clean_error(cox_registry: str) -> None:
    result = CliRunner().invoke(cli, ["cox", "--db", cox_registry, "--reference", "P9"])
    assert result.exit_code == 1
    assert "reference level 'P9' of netpet_group is not in the data" in result.output


def test_registry_without_events_is_a_clean_error(registries) -> None:
    result = CliRunner().invoke(cli, ["cox", "--db", registries.copy()])
    assert result.exit_code == 1
    assert "no events" in result.output
