"""`validate_schemes` measures every scheme on the same patients and returns the JSON contract of issue 17.

On the default demo registry (read-only), with a few bootstrap replicates. Each number is checked against
an independent path: the scheme's own Cox fit and `netpet.analysis.survival.concordance` (tested against R), the KM
estimator, or two Cox fits for the likelihood-ratio test. tests/test_validation_reference.py checks the
same report against R run on the analysed rows.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.cox_analysis import cox_concordance
from netpet.analysis.studies.schemes import resolve_schemes, scheme_frame
from netpet.analysis.studies.validation import ValidationReport, validate_schemes
from netpet.analysis.survival.cox import fit_cox
from netpet.analysis.survival.km import km_fit, survival_at
from netpet.registry import Registry
from tests.scoring_fixtures import rederive

SCHEMES = ["netpet_group", "karfis", "fdg_status", "who_grade", "ki67", "extrahepatic", "who_grade+age", "bjc2023"]
AT = (12.0, 36.0, 60.0)


@pytest.fixture(scope="module")
def report(demo_registry: Path) -> ValidationReport:
    with Registry.open(demo_registry, read_only=True) as reg:
        return validate_schemes(reg, schemes=SCHEMES, at=AT, bootstrap=4, seed=7)


@pytest.fixture(scope="module")
def frame(demo_registry: Path) -> pl.DataFrame:
    with Registry.open(demo_registry, read_only=True) as reg:
        return scheme_frame(reg, resolve_schemes(SCHEMES)).frame


def test_the_json_contract_has_exactly_its_keys_and_types(report: ValidationReport) -> None:
    payload = report.to_dict()
    assert list(payload) == ["endpoint", "origin", "time_unit", "tau", "excluded", "schemes", "comparisons",
                             "optimism"]
    assert (payload["endpoint"], payload["origin"], payload["time_unit"]) == ("os", "first-timepoint", "months")
    assert isinstance(payload["tau"], float)
    assert all(isinstance(k, str) and isinstance(v, int) for k, v in payload["excluded"].items())
    assert [s["scheme"] for s in payload["schemes"]] == SCHEMES
    for scheme in payload["schemes"]:
        assert list(scheme) == ["scheme", "n", "events", "harrell_c", "harrell_c_lower", "harrell_c_upper", "uno_c",
                                "aic", "auc", "rmst"]
        assert all(isinstance(scheme[k], int) for k in ("n", "events"))
        assert all(isinstance(scheme[k], float) for k in ("harrell_c", "harrell_c_lower", "harrell_c_upper",
                                                          "uno_c", "aic"))
        assert [a["time"] for a in scheme["auc"]] == list(AT)
        assert all(list(a) == ["time", "auc", "lower", "upper"] for a in scheme["auc"])
        assert all(list(r) == ["level", "rmst", "se"] and isinstance(r["level"], str) for r in scheme["rmst"])
    assert [c["scheme"] for c in payload["comparisons"]] == SCHEMES[1:]
    assert all(list(c) == ["scheme", "reference", "c_difference", "lower", "upper", "p"]
               for c in payload["comparisons"])
    assert [o["scheme"] for o in payload["optimism"]] == SCHEMES
    assert all(list(o) == ["scheme", "apparent_c", "optimism", "corrected_c"] for o in payload["optimism"])


def test_levels_are_named_as_the_registry_names_them(report: ValidationReport) -> None:
    levels = {s["scheme"]: [r["level"] for r in s["rmst"]] for s in report.to_dict()["schemes"]}
    assert levels["netpet_group"] == ["P1", "P2-4", "P5"]
    assert levels["karfis"] == ["C1", "C2", "C3"]
    assert levels["who_grade"] == ["G1", "G2", "G3", "NEC"]
    assert levels["fdg_status"] == ["FDG-", "FDG+"]
    assert levels["bjc2023"] == ["low", "middle", "high"]


def test_every_scheme_is_measured_on_the_same_patients(report: ValidationReport, demo_registry: Path) -> None:
    assert report.schemes["n"].n_unique() == 1
    assert report.schemes["events"].n_unique() == 1
    assert int(report.schemes["n"][0]) + sum(report.excluded.values()) == 1000
    assert report.excluded == {"P0 (no measurable disease)": 30, "no lesion reads at the first timepoint": 97,
                               "missing ki67_percent": 39}


def test_harrell_c_and_aic_are_those_of_each_schemes_cox_model(report: ValidationReport,
                                                                frame: pl.DataFrame) -> None:
    for scheme in resolve_schemes(SCHEMES):
        fit = fit_cox(frame, terms=scheme.columns, levels=scheme.levels)
        row = report.schemes.filter(pl.col("scheme") == scheme.name).row(0, named=True)
        c, se = cox_concordance(fit)
        assert row["harrell_c"] == pytest.approx(c, rel=1e-12)
        assert row["harrell_c_se"] == pytest.approx(se, rel=1e-12)
        assert row["harrell_c_lower"] == pytest.approx(c - 1.959963984540054 * se, rel=1e-9)
        assert row["aic"] == pytest.approx(-2 * fit.loglik + 2 * len(fit.coef), rel=1e-12)


def test_karfis_from_the_same_reads_discriminates_exactly_as_the_netpet_group(report: ValidationReport) -> None:
    row = report.comparisons.filter(pl.col("scheme") == "karfis").row(0, named=True)
    assert row["c_difference"] == 0.0
    assert math.isnan(row["p"])
    optimism = report.optimism.filter(pl.col("scheme").is_in(["netpet_group", "karfis"])).drop("scheme")
    assert optimism.n_unique() == 1


def test_the_netpet_group_adds_to_every_clinical_model(report: ValidationReport, frame: pl.DataFrame) -> None:
    assert report.likelihood_ratio["scheme"].to_list() == ["who_grade", "ki67", "extrahepatic", "who_grade+age"]
    row = report.likelihood_ratio.filter(pl.col("scheme") == "who_grade+age").row(0, named=True)
    small = fit_cox(frame, terms=["who_grade", "age_at_diagnosis"])
    big = fit_cox(frame, terms=["who_grade", "age_at_diagnosis", "netpet_group"])
    assert row["chisq"] == pytest.approx(2 * (big.loglik - small.loglik), rel=1e-12)
    assert row["df"] == 2
    assert row["p"] < 1e-10


def test_medians_and_calibration_observed_are_the_km_of_each_level(report: ValidationReport,
                                                                   frame: pl.DataFrame) -> None:
    km = km_fit(frame.rename({"who_grade": "group"}), levels=["G1", "G2", "G3", "NEC"])
    medians = report.medians.filter(pl.col("scheme") == "who_grade")
    assert medians["median"].to_list() == km.summary["median"].to_list()
    observed = report.calibration.filter(pl.col("scheme") == "who_grade")
    expected = survival_at(km, AT)
    for row in observed.iter_rows(named=True):
        match = expected.filter((pl.col("group") == row["level"]) & (pl.col("time") == row["time"]))
        assert row["observed"] == match["surv"][0]
    assert observed["predicted"].is_between(0, 1).all()
    assert observed.select("time", "level").rows()[:4] == [(12.0, "G1"), (12.0, "G2"), (12.0, "G3"), (12.0, "NEC")]


def test_tau_is_the_last_time_every_level_still_has_patients(report: ValidationReport,
                                                             frame: pl.DataFrame) -> None:
    grouping = ["netpet_group", "karfis", "fdg_status", "who_grade", "extrahepatic"]
    last = min(frame.group_by(column).agg(pl.col("time").max())["time"].min() for column in grouping)
    assert report.tau <= last
    assert report.tau == pytest.approx(report.curves.group_by("scheme", "group").agg(pl.col("time").max())["time"]
                                       .min())


def test_the_bootstrap_is_reproducible_from_its_seed(demo_registry: Path, report: ValidationReport) -> None:
    with Registry.open(demo_registry, read_only=True) as reg:
        again = validate_schemes(reg, schemes=SCHEMES, at=AT, bootstrap=4, seed=7)
        other = validate_schemes(reg, schemes=SCHEMES, at=AT, bootstrap=4, seed=8)
    assert again.optimism.equals(report.optimism)
    assert not other.optimism["optimism"].equals(again.optimism["optimism"])


def test_progress_counts_every_replicate_of_every_scheme(demo_registry: Path) -> None:
    calls: list[tuple[int, int]] = []
    with Registry.open(demo_registry, read_only=True) as reg:
        validate_schemes(reg, schemes=["netpet_group", "who_grade"], at=AT, bootstrap=3, seed=1,
                         progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (6, 6)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_from_diagnosis_only_the_measures_defined_under_delayed_entry_are_given(demo_registry: Path) -> None:
    with Registry.open(demo_registry, read_only=True) as reg:
        late = validate_schemes(reg, schemes=["netpet_group", "who_grade"], origin="diagnosis", bootstrap=0)
    assert late.schemes["harrell_c"].is_not_null().all()
    assert late.schemes["uno_c"].is_null().all()
    assert (late.auc.height, late.rmst.height, late.comparisons.height, late.calibration.height) == (0, 0, 0, 0)
    assert late.medians.height == 7


def test_an_unknown_scheme_is_a_clear_error(demo_registry: Path) -> None:
    with Registry.open(demo_registry, read_only=True) as reg, pytest.raises(AnalysisError, match=(
            r"unknown scheme\(s\) zidna; known schemes: netpet_group, netpet_score, karfis, zidan")):
        validate_schemes(reg, schemes=["netpet_group", "zidna"])


def test_without_lesion_reads_the_lesion_schemes_are_set_aside_and_the_rest_run(
        demo_registry: Path, tmp_path: Path) -> None:
    path = tmp_path / "no_reads.duckdb"
    shutil.copy(demo_registry, path)
    with Registry.open(path) as reg:
        with reg.transaction() as con:
            con.execute("delete from lesion_reads")
            rederive(con)
        report = validate_schemes(reg, schemes=["netpet_group", "karfis", "extrahepatic", "who_grade"], bootstrap=0)
    reason = "cannot be derived: no lesion reads at the first dual-PET timepoint"
    assert report.skipped == {"karfis": f"karfis {reason}", "extrahepatic": f"extrahepatic {reason}"}
    assert report.schemes["scheme"].to_list() == ["netpet_group", "who_grade"]
    assert report.schemes["n"][0] > 800
    assert np.isfinite(report.schemes["harrell_c"].to_numpy()).all()
    with Registry.open(path, read_only=True) as reg, pytest.raises(
            AnalysisError, match=f"the reference scheme karfis cannot be measured: karfis {reason}"):
        validate_schemes(reg, schemes=["who_grade"], reference="karfis", bootstrap=0)


@pytest.mark.parametrize(("at", "tau"), [((), None), ((12.0, -1.0), None), ((12.0,), 0.0)])
def test_times_and_tau_must_be_positive(demo_registry: Path, at: tuple[float, ...], tau: float | None) -> None:
    with Registry.open(demo_registry, read_only=True) as reg, pytest.raises(AnalysisError, match="must be positive"):
        validate_schemes(reg, at=at, tau=tau, bootstrap=0)


def test_the_figures_plot_the_reports_numbers(report: ValidationReport) -> None:
    from netpet.analysis.outputs.validation_figures import calibration_figure, concordance_figure, km_panels_figure

    panels = [ax for ax in km_panels_figure(report).axes if ax.get_label() == "km"]
    assert [ax.get_gid() for ax in panels] == [f"panel:{name}" for name in SCHEMES]
    p1 = next(line for line in panels[0].get_lines() if line.get_gid() == "km:P1")
    curve = report.curves.filter((pl.col("scheme") == "netpet_group") & (pl.col("group") == "P1"))
    assert list(p1.get_ydata())[1:] == curve["surv"].to_list()

    ax = concordance_figure(report)
    harrell = next(line for line in ax.get_lines() if line.get_gid() == "c:harrell")
    assert list(harrell.get_xdata()) == report.schemes["harrell_c"].to_list()
    corrected = next(line for line in ax.get_lines() if line.get_gid() == "c:corrected")
    assert list(corrected.get_xdata()) == report.optimism["corrected_c"].to_list()

    calibration = calibration_figure(report)
    assert [a.get_title() for a in calibration.axes] == ["12 months", "36 months", "60 months"]
    points = next(c for c in calibration.axes[0].containers if c.get_label() == "who_grade")
    rows = report.calibration.filter((pl.col("scheme") == "who_grade") & (pl.col("time") == 12.0))
    assert list(points.lines[0].get_xdata()) == rows["predicted"].to_list()
    assert list(points.lines[0].get_ydata()) == rows["observed"].to_list()


def test_the_demo_makes_extrahepatic_disease_vary_within_every_group(frame: pl.DataFrame) -> None:
    """About a third of the demo's patients have liver-limited disease (DemoParameters.liver_only_share)."""
    shares = frame.group_by("netpet_group").agg((pl.col("extrahepatic") == "no").mean().alias("liver_only"))
    assert shares["liver_only"].is_between(0.25, 0.5).all(), shares


def test_with_recorded_scores_some_p2_4_patients_have_another_karfis_class(demo_registry: Path,
                                                                           tmp_path: Path) -> None:
    path = tmp_path / "recorded.duckdb"
    shutil.copy(demo_registry, path)
    with Registry.open(path) as reg:
        reg.set_setting("score_source", "recorded")
        frame = scheme_frame(reg, resolve_schemes(["netpet_group", "karfis"])).frame
        report = validate_schemes(reg, schemes=["netpet_group", "karfis"], bootstrap=0)
    moved = frame.filter((pl.col("netpet_group") == "P2-4") & (pl.col("karfis") != "C2"))
    assert 0 < moved.height < 0.05 * frame.height
    assert report.comparisons["c_difference"][0] != 0.0


def test_mean_predicted_survival_is_summed_in_row_order_so_every_run_writes_the_same_calibration() -> None:
    """calibration.csv once differed in its last digit from run to run (a parallel group-by's summing order)."""
    from netpet.analysis.studies.scheme_fits import _mean_predicted

    rng = np.random.default_rng(7)
    level = rng.choice(np.array(["P1", "P2-4", "P5"]), 200_000)
    predicted = rng.uniform(size=(level.size, 2))
    means = _mean_predicted(level, predicted, [12.0, 36.0])
    for row in means.iter_rows(named=True):
        values = predicted[level == row["level"], [12.0, 36.0].index(row["time"])]
        assert row["n"] == values.size
        assert row["predicted"] == sum(values.tolist()) / values.size  # exactly: Python's sum runs in row order
