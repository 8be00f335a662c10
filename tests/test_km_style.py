"""KM figures from the command line: `km --plot`, the report's figure options and a `--style` house style.

Figures are checked by what they draw (axes, ticks, labels, artists) and, for the palettes, by their pixels.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.image import imread

from netpet.analysis.outputs.km_figure import at_risk_counts
from netpet.analysis.outputs.km_style import KMStyle, load_style, merge_style, styled_km_figure
from netpet.analysis.studies.frames import survival_frame
from netpet.analysis.studies.km_analysis import km_report
from netpet.cli import cli
from netpet.registry import Registry


@pytest.fixture(scope="module")
def os_report(demo_registry: Path):
    with Registry.open(demo_registry, read_only=True) as reg:
        return km_report(survival_frame(reg, endpoint="pfs"))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_y_label_names_the_endpoint_and_the_axis_ends_with_the_last_patient_at_risk(os_report) -> None:
    fig = styled_km_figure(os_report)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Progression-free survival"
    t_end = os_report.fit.table["time"].max()
    ticks = list(ax.get_xticks())
    assert ticks[-1] <= t_end
    assert ax.get_xlim()[1] == pytest.approx(t_end * 1.01)
    assert len(ticks) <= 9
    assert max(at_risk_counts(os_report.fit.table, g, ticks)[-1] for g in ("P1", "P2-4", "P5")) > 0


def test_style_options_shape_the_figure(os_report) -> None:
    style = KMStyle(ci=True, risk_table=False, cumulative_events=True, xmax=60, break_every=15, ylabel="PFS",
                    title="Demo", font_size=9)
    fig = styled_km_figure(os_report, style)
    ax = fig.axes[0]
    assert [a.get_label() for a in fig.axes] == ["km", "events"]
    assert list(ax.get_xticks()) == [0, 15, 30, 45, 60]
    assert ax.get_xlim()[1] == pytest.approx(60 * 1.01)
    assert ax.get_ylabel() == "PFS"
    assert fig.get_suptitle() == "Demo"
    assert {c.get_gid() for c in ax.collections} >= {"ci:P1", "ci:P2-4", "ci:P5"}
    assert ax.xaxis.label.get_fontsize() == 9
    assert ax.get_xticklabels()[0].get_fontsize() == 9


@pytest.mark.parametrize(("palette", "colourful"), [("grey", False), ("okabe-ito", True)])
def test_palettes_by_their_pixels(os_report, tmp_path: Path, palette: str, colourful: bool) -> None:
    from netpet.analysis.outputs.figures import save_figure

    path = save_figure(styled_km_figure(os_report, KMStyle(palette=palette, ci=True)), tmp_path / "km.png", dpi=80)
    rgb = imread(path)[..., :3]
    spread = rgb.max(axis=-1) - rgb.min(axis=-1)  # 0 for a grey pixel
    assert (float(np.max(spread)) > 0.3) is colourful


def test_a_style_file_holds_the_same_keys_and_the_command_line_wins(tmp_path: Path) -> None:
    path = tmp_path / "style.yaml"
    path.write_text("palette: grey\nci: true\nfont-size: 9\nbreak_every: 24\npreset: double\n", encoding="utf-8")
    style = load_style(path)
    assert style == KMStyle(palette="grey", ci=True, font_size=9, break_every=24, preset="double")
    assert merge_style(style, {"palette": "okabe-ito", "ci": None}) == KMStyle(
        palette="okabe-ito", ci=True, font_size=9, break_every=24, preset="double")
    path.write_text("colour: red\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown style key"):
        load_style(path)
    path.write_text("xmax: -3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="xmax must be a positive number"):
        load_style(path)


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg", ".tiff"])
def test_km_plot_writes_the_figure_by_extension(demo_registry: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"km{suffix}"
    result = run("--db", str(demo_registry), "km", "--by", "who_grade", "--plot", str(out), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["endpoint"] == "os"  # the numbers still go to stdout
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml", ".tiff": b"II*\x00"}[suffix]
    assert out.read_bytes().startswith(magic)


def test_km_takes_site_weeks_and_a_style_file(demo_registry: Path, tmp_path: Path) -> None:
    style = tmp_path / "lab.yaml"
    style.write_text("palette: grey\ntitle: Lab style\n", encoding="utf-8")
    out = tmp_path / "km.png"
    result = run("--db", str(demo_registry), "km", "--by", "site", "--time-unit", "weeks", "--plot", str(out),
                 "--style", str(style), "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["time_unit"] == "weeks"
    assert len(payload["groups"]) >= 2
    rgb = imread(out)[..., :3]
    assert float(np.max(rgb.max(axis=-1) - rgb.min(axis=-1))) < 0.3  # grey from the style file
    bad = tmp_path / "bad.yaml"
    bad.write_text("colour: red\n", encoding="utf-8")
    refused = run("--db", str(demo_registry), "km", "--plot", str(out), "--style", str(bad))
    assert refused.exit_code == 1
    assert "unknown style key(s) colour" in refused.output


def test_report_takes_the_figure_options_and_records_them(demo_registry: Path, tmp_path: Path) -> None:
    result = run("--db", str(demo_registry), "report", "--out", str(tmp_path), "--format", "png", "--ci",
                 "--no-risk-table", "--palette", "grey", "--xmax", "120", "--title", "OS by group")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    style = manifest["options"]["style"]
    assert (style["ci"], style["risk_table"], style["palette"], style["xmax"]) == (True, False, "grey", 120.0)
    rgb = imread(tmp_path / "km.png")[..., :3]
    assert float(np.max(rgb.max(axis=-1) - rgb.min(axis=-1))) < 0.3
