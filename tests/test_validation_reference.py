"""The validation report's numbers equal R's on the demo registry's analysed rows, to 1e-6 relative.

R (survival 3.5-3): tests/reference/validation_study/validation_study.R reads demo_frame.csv (the rows
`scheme_frame` analyses; regenerate with `python -m tests.test_validation_reference`) and writes
validation_study.csv: per scheme `coxph` -> `concordance(fit)`, `concordance(fit, timewt = "n/G2",
ymax = 48)`, `AIC(fit)`; `concordance(fit1, ..., fit5)` -> differences from the NETPET group and their SE;
`anova(fit, update(fit, . ~ . + netpet_group))`; per level `summary(survfit(...), rmean = 48)$table`,
`summary(survfit(...), times = c(12, 36, 60))` and `survfit(fit, newdata = d)` averaged per level; and
riskRegression's `Score(list(lp), Hist(time, event) ~ 1, metrics = "auc", se.fit = TRUE)` of each linear predictor.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

from netpet.analysis.studies.schemes import resolve_schemes, scheme_frame
from netpet.analysis.studies.validation import ValidationReport, validate_schemes
from netpet.registry import Registry

HERE = Path(__file__).parent / "reference" / "validation_study"
SCHEMES = ["netpet_group", "fdg_status", "who_grade", "who_grade+age", "bjc2023"]
FRAME_COLUMNS = ["time", "event", "netpet_group", "fdg_status", "who_grade", "age_at_diagnosis", "extrahepatic"]
Z95 = 1.959963984540054


def analysed_rows(path: Path) -> pl.DataFrame:
    """The rows every scheme is measured on (what demo_frame.csv holds)."""
    with Registry.open(path, read_only=True) as reg:
        return scheme_frame(reg, resolve_schemes(SCHEMES)).frame.select(FRAME_COLUMNS)


@pytest.fixture(scope="module")
def report(demo_registry: Path) -> ValidationReport:
    with Registry.open(demo_registry, read_only=True) as reg:
        return validate_schemes(reg, schemes=SCHEMES, at=(12, 36, 60), tau=48.0, bootstrap=0)


@pytest.fixture(scope="module")
def r_values() -> dict[tuple[str, str, str], float]:
    table = pl.read_csv(HERE / "validation_study.csv", schema_overrides={"key": pl.String, "value": pl.Float64})
    return {(r["scheme"], r["measure"], r["key"] or ""): r["value"] for r in table.iter_rows(named=True)}


def test_r_read_the_rows_the_report_analyses(demo_registry: Path) -> None:
    stored = pl.read_csv(HERE / "demo_frame.csv")
    assert analysed_rows(demo_registry).equals(stored.cast(analysed_rows(demo_registry).schema))  # type: ignore[arg-type]


def test_concordances_and_aic_equal_r(report: ValidationReport, r_values: dict) -> None:
    for row in report.schemes.iter_rows(named=True):
        name = row["scheme"]
        for measure in ("harrell_c", "harrell_c_se", "uno_c", "uno_c_se", "aic"):
            assert row[measure] == pytest.approx(r_values[(name, measure, "")], rel=1e-6), (name, measure)


def test_differences_in_c_equal_r_joint_covariance(report: ValidationReport, r_values: dict) -> None:
    for row in report.comparisons.iter_rows(named=True):
        name = row["scheme"]
        difference, se = r_values[(name, "c_difference", "")], r_values[(name, "c_difference_se", "")]
        assert row["c_difference"] == pytest.approx(difference, rel=1e-6), name
        assert row["upper"] - row["lower"] == pytest.approx(2 * Z95 * se, rel=1e-6), name


def test_likelihood_ratio_tests_equal_r_anova(report: ValidationReport, r_values: dict) -> None:
    for row in report.likelihood_ratio.iter_rows(named=True):
        assert row["chisq"] == pytest.approx(r_values[(row["scheme"], "lr_chisq", "")], rel=1e-6)
        assert row["df"] == r_values[(row["scheme"], "lr_df", "")]


def test_medians_and_rmst_per_level_equal_r(report: ValidationReport, r_values: dict) -> None:
    rmst = {(r["scheme"], r["level"]): r for r in report.rmst.iter_rows(named=True)}
    checked = 0
    for row in report.medians.filter(pl.col("scheme").is_in(["netpet_group", "fdg_status", "who_grade"])).iter_rows(
            named=True):
        key = (row["scheme"], row["level"])
        for measure in ("median", "median_lower", "median_upper"):
            assert row[measure] == pytest.approx(r_values[(*key[:1], measure, key[1])], rel=1e-6), (key, measure)
        assert rmst[key]["rmst"] == pytest.approx(r_values[(key[0], "rmst", key[1])], rel=1e-6), key
        assert rmst[key]["se"] == pytest.approx(r_values[(key[0], "rmst_se", key[1])], rel=1e-6), key
        checked += 1
    assert checked == 9


def test_calibration_equals_r_survfit_of_the_levels_and_of_the_cox_model(report: ValidationReport,
                                                                          r_values: dict) -> None:
    rows = report.calibration.filter(pl.col("scheme").is_in(["netpet_group", "fdg_status", "who_grade"]))
    observed_in_r = {k for k in r_values if k[1] == "observed"}
    assert rows.height == len(observed_in_r)
    for row in rows.iter_rows(named=True):
        key = f"{row['level']} {row['time']:g}"
        assert row["observed"] == pytest.approx(r_values[(row["scheme"], "observed", key)], rel=1e-6), key
        assert row["predicted"] == pytest.approx(r_values[(row["scheme"], "predicted", key)], rel=1e-6), key


def test_time_dependent_auc_equals_riskregression_score(report: ValidationReport, r_values: dict) -> None:
    assert report.auc.height == 15
    for row in report.auc.iter_rows(named=True):
        key = (row["scheme"], "auc", f"{row['time']:g}")
        assert row["auc"] == pytest.approx(r_values[key], rel=1e-6), key
        assert row["se"] == pytest.approx(r_values[(row["scheme"], "auc_se", key[2])], rel=1e-6), key


if __name__ == "__main__":  # write demo_frame.csv from a fresh default demo registry
    import tempfile

    from netpet.registry.demo import build_demo_registry

    folder = Path(tempfile.mkdtemp())
    build_demo_registry(folder / "demo.duckdb", folder / "data")
    analysed_rows(folder / "demo.duckdb").write_csv(HERE / "demo_frame.csv")
    sys.exit(0)
