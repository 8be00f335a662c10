"""Exports of the analysis views: every patient, or one cohort's, as Parquet or CSV, readable back intact."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from netpet.registry import Registry, RegistryError
from netpet.registry.cohorts import build_cohort
from netpet.registry.export import export_views
from tests.cohort_fixtures import fill_fixture


def fill_with_g2_cohort(reg: Registry) -> None:
    """The fixture registry with the saved cohort `g2` (A1, A3, A5, A6)."""
    fill_fixture(reg)
    build_cohort(reg, "include: [who_grade: [G2]]", "g2")


@pytest.fixture
def reg(registries):
    """A copy of the fixture registry with cohort `g2`, on each backend."""
    with registries.open(fill_with_g2_cohort) as registry:
        yield registry


def test_export_without_cohort_writes_every_patient(reg: Registry, tmp_path: Path) -> None:
    files = export_views(reg, tmp_path / "all")
    assert [f.name for f in files] == [
        "patient_survival.parquet", "timepoint_scores.parquet", "treatments.parquet", "outcomes.parquet",
    ]
    assert pl.read_parquet(files[0]).height == 8
    assert pl.read_parquet(files[1]).height == 10
    assert pl.read_parquet(files[2]).height == 9


def test_cohort_export_keeps_only_members(reg: Registry, tmp_path: Path) -> None:
    files = {f.stem: f for f in export_views(reg, tmp_path, cohort="g2")}
    assert sorted(files) == [
        "cohort_survival", "outcomes", "patient_survival", "timepoint_scores", "treatments",
    ]
    survival = pl.read_parquet(files["patient_survival"])
    assert survival["patient_id"].to_list() == ["A1", "A3", "A5", "A6"]
    timepoints = pl.read_parquet(files["timepoint_scores"])
    assert timepoints["timepoint_id"].to_list() == ["T1", "T2", "T5", "T7", "T8", "T9"]
    treatments = pl.read_parquet(files["treatments"])
    assert treatments["treatment_id"].to_list() == ["R1", "R2", "R4", "R7", "R8"]
    members = pl.read_parquet(files["cohort_survival"])
    assert members.columns[:4] == ["patient_id", "entry_event", "entry_date", "end_of_followup_date"]
    assert members["patient_id"].to_list() == ["A1", "A3", "A5", "A6"]


def test_parquet_export_matches_the_view(reg: Registry, tmp_path: Path) -> None:
    export_views(reg, tmp_path, cohort="g2")
    exported = pl.read_parquet(tmp_path / "patient_survival.parquet")
    view = reg.query("select * from patient_survival where patient_id in ('A1', 'A3', 'A5', 'A6') order by 1")
    assert exported.equals(view)


def test_csv_export_has_iso_dates(reg: Registry, tmp_path: Path) -> None:
    export_views(reg, tmp_path, cohort="g2", fmt="csv")
    lines = (tmp_path / "cohort_survival.csv").read_text().splitlines()
    assert lines[0].startswith("patient_id,entry_event,entry_date,end_of_followup_date,")
    assert lines[1].startswith("A1,first_dual_pet,2012-02-01,2016-01-01,")
    assert pl.read_csv(tmp_path / "patient_survival.csv").height == 4


def test_export_of_unknown_cohort_or_format_is_an_error(reg: Registry, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RegistryError, match="no cohort named 'nope'"):
        export_views(reg, out, cohort="nope")
    with pytest.raises(RegistryError, match="unknown export format 'xlsx'; choose one of parquet, csv"):
        export_views(reg, out, fmt="xlsx")
    assert not out.exists()
