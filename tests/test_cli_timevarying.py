"""`netpet cox --time-varying` fits the current NETPET group on the score intervals, as R does."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from tests.longitudinal_fixtures import add_patient, add_small_cohort

REFERENCE = Path(__file__).parent / "reference" / "timevarying"


def test_cox_time_varying_matches_r_on_the_small_cohort(registries):
    """R: coxph(Surv(tstart, tstop, event) ~ group, data = small); C's (0, 0] row dropped (1 excluded)."""
    registry_path = registries.copy()
    with Registry.open(registry_path) as reg:
        add_small_cohort(reg)
    args = ["cox", "--db", registry_path, "--time-varying", "--time-unit", "days", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    want = pl.read_csv(REFERENCE / "coefficients.csv").filter(
        (pl.col("model") == "small") & (pl.col("ties") == "efron"))
    assert [t["coef"] for t in summary["terms"]] == pytest.approx(want["coef"].to_list(), rel=1e-6)
    assert [t["se"] for t in summary["terms"]] == pytest.approx(want["se"].to_list(), rel=1e-6)
    assert summary["n"] == 22
    assert sum(summary["excluded"].values()) == 1


def test_cox_time_varying_refuses_pfs(registries):
    registry_path = registries.copy()
    with Registry.open(registry_path) as reg:
        add_patient(reg, "A", timepoints=[(0, 1)], death=100)
    result = CliRunner().invoke(cli, ["cox", "--db", registry_path, "--time-varying", "--endpoint", "pfs"])
    assert result.exit_code == 2
    assert "overall survival from the first timepoint" in result.output
