"""`netpet report` writes the whole survival report, and its manifest traces every file to its data.

End to end on a copy of the demo registry (CliRunner, once per module, and once as a process); the flow
table on the hand-built cohort fixture registry, whose counts are worked out in tests/cohort_fixtures.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.analysis.outputs.figures import cohort_flow
from netpet.analysis.outputs.km_figure import at_risk_counts
from netpet.analysis.outputs.provenance import registry_provenance
from netpet.analysis.outputs.report import flow_table, km_report_figure, write_report
from netpet.analysis.studies.frames import survival_frame
from netpet.analysis.studies.km_analysis import km_report
from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.backup import file_sha256
from netpet.registry.cohorts import build_cohort
from netpet.registry.credentials import masked_url
from tests.cohort_fixtures import fill_fixture

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("km", "forest", "cohort_flow")
TABLES = ("km_curves.csv", "km_medians.csv", "km_landmarks.csv", "logrank.csv", "logrank_pairwise.csv",
          "cox_coefficients.csv", "cox_tests.csv", "ph_test.csv", "cox_table.csv", "cox_table.md",
          "table_one.csv", "table_one.md", "cohort_flow.csv", "report.md")
OPTIONS = ["--endpoint", "os", "--by", "netpet_group", "--covariates", "who_grade,age_at_origin",
           "--time-unit", "months", "--conf-type", "log-log", "--format", "pdf,png,svg", "--preset", "single"]


@pytest.fixture(scope="module")
def demo_db(demo_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-db") / "demo.duckdb"
    shutil.copy(demo_registry, path)
    return path


@pytest.fixture(scope="module")
def report_dir(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    result = CliRunner().invoke(cli, ["--db", str(demo_db), "report", "--out", str(out), *OPTIONS],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def manifest(report_dir: Path) -> dict:
    return json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))


def test_report_writes_every_output_under_stable_names(report_dir: Path) -> None:
    figures = {f"{stem}.{fmt}" for stem in FIGURES for fmt in ("pdf", "png", "svg")}
    assert {p.name for p in report_dir.iterdir()} == {*figures, *TABLES, "manifest.json"}


def test_manifest_checksum_is_the_registry_files_sha256(manifest: dict, demo_db: Path) -> None:
    registry = manifest["registry"]
    assert registry["backend"] == "duckdb"
    assert registry["sha256"] == file_sha256(demo_db)
    assert registry["bytes"] == demo_db.stat().st_size
    assert registry["wal_pending"] is False
    with Registry.open(demo_db, read_only=True) as reg:
        counts = reg.row_counts()
    assert registry["fingerprint"]["patients"] == counts["patients"] == 1000


def test_manifest_names_the_import_batches_with_their_files(manifest: dict, demo_db: Path) -> None:
    with Registry.open(demo_db, read_only=True) as reg:
        files = reg.query("select batch_id, file_name, sha256 from import_files order by file_name")
    [batch] = manifest["import_batches"]  # the demo registry is one import
    assert batch["batch_id"] == files["batch_id"][0]
    assert [(f["file_name"], f["sha256"]) for f in batch["files"]] == list(
        zip(files["file_name"], files["sha256"], strict=True))


def test_manifest_records_options_versions_and_time(manifest: dict) -> None:
    assert manifest["options"] == {
        "cohort": None, "endpoint": "os", "origin": "first-timepoint", "by": "netpet_group",
        "covariates": ["who_grade", "age_at_origin"], "time_unit": "months", "conf_type": "log-log",
        "formats": ["pdf", "png", "svg"], "preset": "single",
        "style": {"ci": False, "risk_table": True, "cumulative_events": False, "xmax": None, "break_every": None,
                  "ylabel": None, "title": None, "palette": "okabe-ito", "font_size": None, "preset": "single"},
    }
    assert set(manifest["versions"]) >= {"netpet", "duckdb", "polars", "numpy", "matplotlib",
                                         "python"}
    assert manifest["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert manifest["versions"]["netpet"] != "not installed"
    created = datetime.fromisoformat(manifest["created_at"])
    assert timedelta(0) <= datetime.now(UTC) - created < timedelta(hours=1)


def test_manifest_lists_every_other_file_with_its_sha256(manifest: dict, report_dir: Path) -> None:
    others = sorted(p.name for p in report_dir.iterdir() if p.name != "manifest.json")
    assert sorted(manifest["files"]) == others
    for name, digest in manifest["files"].items():
        assert digest == file_sha256(report_dir / name)


def test_pdf_pages_render(report_dir: Path, tmp_path: Path) -> None:
    for stem in FIGURES:
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(report_dir / f"{stem}.pdf"), str(tmp_path / stem)],
                       check=True, capture_output=True)
        [page] = tmp_path.glob(f"{stem}*.png")
        assert page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert page.stat().st_size > 1000


def test_png_and_svg_figures_open(report_dir: Path) -> None:
    from matplotlib.image import imread

    for stem in FIGURES:
        pixels = imread(report_dir / f"{stem}.png")
        assert pixels.shape[0] > 100
        assert pixels.shape[1] > 100
        assert pixels.min() < 0.5  # something is drawn on the white background
        assert ET.parse(report_dir / f"{stem}.svg").getroot().tag.endswith("svg")


def test_every_result_counts_the_same_analysed_patients(report_dir: Path, manifest: dict) -> None:
    flow = pl.read_csv(report_dir / "cohort_flow.csv")
    medians = pl.read_csv(report_dir / "km_medians.csv")
    analysed = flow.filter(pl.col("label") == "Analysed")["remaining"][0]
    # The demo registry has 1,000 patients; every exclusion is counted on the way to the analysed set.
    assert flow["remaining"][0] == 1000
    assert 1000 - flow["excluded"].sum() == analysed
    assert medians["n"].sum() == analysed == manifest["numbers"]["cox_n"]
    assert manifest["numbers"]["patients_analysed"] == analysed
    assert manifest["numbers"]["events"] == medians["events"].sum() == manifest["numbers"]["cox_events"]


def test_index_lists_the_outputs_and_the_key_numbers(report_dir: Path, manifest: dict) -> None:
    index = (report_dir / "report.md").read_text(encoding="utf-8")
    for name in manifest["files"]:
        if name != "report.md":
            assert f"[{name}]({name})" in index
    numbers = manifest["numbers"]
    assert f"Analysed: {numbers['patients_analysed']} patients, {numbers['events']} events" in index
    assert f"Harrell's C): {numbers['concordance']:.3f}" in index


def test_report_files_but_the_manifest_are_byte_identical_on_a_rerun(
    report_dir: Path, demo_db: Path, tmp_path: Path
) -> None:
    with Registry.open(demo_db, read_only=True) as reg:
        again = write_report(reg, tmp_path, conf_type="log-log", formats=("pdf", "png", "svg"),
                             versions={"netpet": "x"})
    first = json.loads((report_dir / "manifest.json").read_text(encoding="utf-8"))
    assert again["files"] == first["files"]


def test_km_figure_plots_the_curves_with_at_most_nine_at_risk_times(demo_db: Path) -> None:
    with Registry.open(demo_db, read_only=True) as reg:
        km = km_report(survival_frame(reg))
    fig = km_report_figure(km)
    curves, risk = fig.axes[0], fig.axes[1]
    ticks = list(curves.get_xticks())
    # The demo's follow-up (about 15 years) gets 12-month breaks by default, 16 ticks: thinned to every 24.
    assert len(ticks) <= 9
    assert ticks[1] - ticks[0] == 24
    # The axis ends where the last group still has patients at risk: no all-zero at-risk column.
    t_end = km.fit.table["time"].max()
    assert ticks[-1] <= t_end < ticks[-1] + 24
    assert curves.get_xlim()[1] == pytest.approx(t_end * 1.01)
    assert max(at_risk_counts(km.fit.table, group, ticks)[-1] for group in ("P1", "P2-4", "P5")) > 0
    assert curves.get_ylabel() == "Overall survival"
    for group in ("P1", "P2-4", "P5"):
        [line] = [ln for ln in curves.lines if ln.get_gid() == f"km:{group}"]
        rows = km.fit.table.filter(pl.col("group") == group)
        assert list(line.get_ydata())[-rows.height:] == rows["surv"].to_list()
        counts = [int(t.get_text()) for t in risk.texts if t.get_gid() == f"at-risk:{group}"]
        assert counts == at_risk_counts(km.fit.table, group, ticks)


def test_unknown_figure_format_is_refused(demo_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(demo_db), "report", "--out", str(tmp_path), "--format", "gif"])
    assert result.exit_code == 1
    assert "gif" in result.output
    assert "pdf, png, svg" in result.output


def test_report_runs_as_a_process(demo_db: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "netpet", "--db", str(demo_db), "report", "--out", str(tmp_path), "--format", "png"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["registry"]["sha256"] == file_sha256(demo_db)
    assert (tmp_path / "km.png").exists()
    assert not (tmp_path / "km.pdf").exists()


# -- the flow table, on the hand-built fixture registry ---------------------------------------------------
@pytest.fixture
def fixture_registry(registries):
    """The hand-built cohort fixture registry, on each backend."""
    reg = registries.open(fill_fixture)
    yield reg
    reg.close()


def test_flow_counts_each_exclusion_at_its_step(fixture_registry: Registry) -> None:
    data = survival_frame(fixture_registry, covariates=["who_grade", "age_at_origin"])
    flow = flow_table(fixture_registry, data.excluded)
    # 8 patients; A8 has no timepoint; A6's only timepoint is unscored; the other six are analysed.
    assert flow.rows() == [
        (0, "Patients in the registry", 8, 0, None),
        (1, "With a dual-PET timepoint", 7, 1, "no dual-PET timepoint"),
        (2, "Scored (NETPET P1–P5)", 6, 1, "no NETPET score"),
        (3, "With follow-up", 6, 0, None),
        (4, "Analysed", 6, 0, None),
    ]


def test_flow_of_a_cohort_starts_with_its_attrition(fixture_registry: Registry) -> None:
    build_cohort(fixture_registry, ROOT / "cohorts" / "examples" / "pancreatic.yaml", "pancreatic")
    flow = flow_table(fixture_registry, {}, cohort="pancreatic")
    # Entry at the first timepoint drops A8; pancreas keeps A1, A2, A4, A6; a score at entry drops A6.
    assert flow.select("step", "remaining", "excluded").rows() == [(0, 8, 0), (1, 7, 1), (2, 4, 3), (3, 3, 1),
                                                                  (4, 3, 0)]
    assert flow["reason"][2] == "not primary site in (pancreas)"


def test_flow_figure_shows_the_flow_tables_counts(fixture_registry: Registry) -> None:
    data = survival_frame(fixture_registry)
    ax = cohort_flow(flow_table(fixture_registry, data.excluded))
    steps = [t.get_text().rsplit("n = ", 1)[1] for t in ax.texts if t.get_gid() == "flow:step"]
    assert steps == ["8", "7", "6", "6", "6"]
    excluded = [t.get_text().splitlines()[0] for t in ax.texts if t.get_gid() == "flow:excluded"]
    assert excluded == ["Excluded (n = 1)", "Excluded (n = 1)"]


def test_provenance_of_a_postgres_registry_has_no_password_and_a_fingerprint(registry: Registry) -> None:
    provenance = registry_provenance(registry)
    assert provenance["fingerprint"]["patients"] == 0
    if registry.is_postgres:
        assert "sha256" not in provenance
        assert provenance["url"] == masked_url(registry.path)
    else:
        assert provenance["sha256"] == file_sha256(registry.path)


def test_url_loses_its_password_only() -> None:
    assert masked_url("postgresql://ana:s3cret@db.example:5433/netpet?sslmode=require") == (
        "postgresql://ana:***@db.example:5433/netpet?sslmode=require")
    assert masked_url("postgresql://ana@localhost/netpet") == "postgresql://ana@localhost/netpet"
