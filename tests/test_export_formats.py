"""Analysis-ready exports: times in a unit, 0/1 events, clinical factor order, codebooks, and Stata, SPSS and
CSV + load.R files read back by R (haven, foreign) with their labels and values."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.dictionary import LEVELS
from netpet.registry.export_formats import analysis_ready

needs_r = pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")


def export(db: Path, out: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "--out", str(out), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.split()


def run_r(code: str, folder: Path) -> dict:
    done = subprocess.run(["Rscript", "-e", code], cwd=folder, capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def survival(demo_registry: Path) -> pl.DataFrame:
    with Registry.open(demo_registry, read_only=True) as reg:
        return reg.query("select * from patient_survival order by patient_id")


def test_times_in_the_unit_and_flags_as_0_1(survival: pl.DataFrame) -> None:
    ready = analysis_ready(survival, time_unit="months")
    assert "os_days" not in ready.columns
    assert ready.columns.index("os_months") == survival.columns.index("os_days")
    assert ready["os_months"].to_list() == pytest.approx((survival["os_days"] / 30.4375).to_list())
    assert ready["timepoint_count"].dtype == survival["timepoint_count"].dtype  # only survival times change
    assert ready["os_event"].dtype == pl.Int8
    assert ready["os_event"].to_list() == survival["os_event"].cast(pl.Int8).to_list()
    with pytest.raises(ValueError, match="unknown time unit"):
        analysis_ready(survival, time_unit="fortnights")


def test_csv_export_writes_0_1_events_a_full_codebook_and_load_r(demo_registry: Path, tmp_path: Path,
                                                                  survival: pl.DataFrame) -> None:
    written = export(demo_registry, tmp_path, "--format", "csv", "--time-unit", "years")
    assert {Path(p).name for p in written} >= {"patient_survival.csv", "codebook.csv", "codebook.md", "load.R"}
    frame = pl.read_csv(tmp_path / "patient_survival.csv")
    assert set(frame["os_event"].unique()) <= {0, 1}
    assert frame["os_years"].to_list() == pytest.approx((survival["os_days"] / 365.25).to_list())
    book = pl.read_csv(tmp_path / "codebook.csv")
    files = {p.name for p in tmp_path.glob("*.csv")} - {"codebook.csv"}
    assert set(book["file"]) == files
    for file in files:
        assert book.filter(pl.col("file") == file)["column"].to_list() == pl.read_csv(tmp_path / file).columns
    assert book.filter(pl.col("meaning").is_null()).height == 0
    row = book.filter((pl.col("file") == "patient_survival.csv") & (pl.col("column") == "os_years")).row(0, named=True)
    assert (row["type"], row["unit"], row["source"]) == ("float64", "years", "patient_survival")
    event = book.filter(pl.col("column") == "os_event").row(0, named=True)
    assert event["type"] == "0/1"
    assert event["meaning"].startswith("Overall survival event: 1 = died, 0 = censored")
    assert "## timepoint_scores.csv" in (tmp_path / "codebook.md").read_text(encoding="utf-8")


@needs_r
def test_load_r_reads_the_csv_export_with_clinical_factor_levels(demo_registry: Path, tmp_path: Path,
                                                                 survival: pl.DataFrame) -> None:
    export(demo_registry, tmp_path, "--format", "csv", "--time-unit", "months")
    got = run_r(
        'source("load.R"); d <- patient_survival; cat(jsonlite::toJSON(list(n = nrow(d), '
        "levels = levels(d$netpet_group), grade = levels(d$who_grade), event = class(d$os_event), "
        "date = class(d$origin_date), groups = as.list(table(d$netpet_group)), "
        'first = as.character(d$origin_date[1]), tps = nrow(timepoint_scores)), auto_unbox = TRUE))',
        tmp_path,
    )
    assert got["n"] == survival.height
    assert got["levels"] == list(LEVELS["netpet_group"])
    assert got["grade"] == list(LEVELS["who_grade"])
    assert (got["event"], got["date"]) == ("integer", "Date")
    counts = dict(survival.group_by("netpet_group").len().iter_rows())
    assert {k: v for k, v in got["groups"].items() if v} == counts
    assert got["first"] == str(survival["origin_date"][0])


R_READ_LABELLED = """
d <- {reader}("patient_survival.{ext}")
g <- haven::as_factor(d$netpet_group)
cat(jsonlite::toJSON(list(
  n = nrow(d), label = attr(d$os_event, "label"), os_label = attr(d$os_months, "label"),
  value_labels = as.list(attr(d$netpet_group, "labels")), levels = levels(g), groups = as.list(table(g)),
  os = sum(d$os_months), events = sum(d$os_event), date = class(d$origin_date),
  first = as.character(d$origin_date[1]), ids = d$patient_id[1:3]
), auto_unbox = TRUE, digits = NA))
"""


@needs_r
@pytest.mark.parametrize(("fmt", "reader"), [("dta", "haven::read_dta"), ("sav", "haven::read_sav")])
def test_stata_and_spss_files_carry_variable_and_value_labels(demo_registry: Path, tmp_path: Path,
                                                              survival: pl.DataFrame, fmt: str, reader: str) -> None:
    export(demo_registry, tmp_path, "--format", fmt, "--time-unit", "months")
    got = run_r(R_READ_LABELLED.format(reader=reader, ext=fmt), tmp_path)
    assert got["n"] == survival.height
    assert got["label"] == "Overall survival event: 1 = died, 0 = censored."
    assert got["os_label"] == "Overall survival time from the origin to death or censoring."
    assert got["value_labels"] == {"P0": 1, "P1": 2, "P2-4": 3, "P5": 4}
    assert got["levels"] == ["P0", "P1", "P2-4", "P5"]
    counts = dict(survival.group_by("netpet_group").len().iter_rows())
    assert {k: v for k, v in got["groups"].items() if v} == counts
    assert got["os"] == pytest.approx(float((survival["os_days"] / 30.4375).sum()), rel=1e-9)
    assert got["events"] == int(survival["os_event"].sum())
    assert got["date"] == "Date"
    assert got["first"] == str(survival["origin_date"][0])
    assert got["ids"] == survival["patient_id"].to_list()[:3]


@needs_r
def test_foreign_reads_the_spss_file_with_its_value_labels(demo_registry: Path, tmp_path: Path) -> None:
    export(demo_registry, tmp_path, "--format", "sav")
    got = run_r(
        'd <- foreign::read.spss("outcomes.sav", to.data.frame = TRUE); '
        "cat(jsonlite::toJSON(list(levels = levels(d$outcome), n = nrow(d)), auto_unbox = TRUE))",
        tmp_path,
    )
    assert got["levels"] == list(LEVELS["outcome"])
    with Registry.open(demo_registry, read_only=True) as reg:
        assert got["n"] == reg.row_counts()["outcomes"]
