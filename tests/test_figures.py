"""Figures are checked by the data they plot (the KM table, at-risk counts, HRs), not by pixels."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import polars as pl
import pytest

from netpet.analysis.outputs.figures import PRESETS, cohort_flow, forest_plot, format_p, save_figure
from netpet.analysis.outputs.km_figure import km_figure, time_breaks
from tests.figure_fixtures import km_tables, synthetic_cohort

# A hand-written KM table. Group P1: 5 patients, death at 3, censored at 7, deaths at 12 and 20, censored
# at 30. Group P5: 3 patients, censored at 1, deaths at 4 and 9. Survival: P1 4/5, 4/5, 4/5*2/3, 0.8*2/3*1/2.
HAND_KM = pl.DataFrame({
    "group": ["P5", "P5", "P5", "P1", "P1", "P1", "P1", "P1"],
    "time": [1.0, 4.0, 9.0, 3.0, 7.0, 12.0, 20.0, 30.0],
    "n_risk": [3, 2, 1, 5, 4, 3, 2, 1],
    "n_event": [0, 1, 1, 1, 0, 1, 1, 0],
    "n_censor": [1, 0, 0, 0, 1, 0, 0, 1],
    "surv": [1.0, 0.5, 0.0, 0.8, 0.8, 0.8 * 2 / 3, 0.8 * 2 / 3 / 2, 0.8 * 2 / 3 / 2],
    "lower": [1.0, 0.1, None, 0.5, 0.5, 0.3, 0.1, 0.1],
    "upper": [1.0, 1.0, None, 1.0, 1.0, 1.0, 0.9, 0.9],
})
HAND_SUMMARY = pl.DataFrame({
    "group": ["P1", "P5"], "n": [5, 3], "events": [3, 2], "median": [20.0, 4.0],
    "median_lower": [12.0, 4.0], "median_upper": [None, None],
})
COEFS = pl.DataFrame({
    "term": ["netpet_group=P2-4", "netpet_group=P5", "ki67_percent"],
    "coef": [0.8, 2.1, 0.02], "se": [0.2, 0.25, 0.01], "hr": [2.23, 8.17, 1.02],
    "hr_lower": [1.5, 5.0, 1.0], "hr_upper": [3.3, 13.3, 1.04], "z": [4.0, 8.4, 2.0],
    "p": [0.00006, 1e-10, 0.045],
})
ATTRITION = pl.DataFrame({
    "step": [0, 1, 1, 2],
    "label": ["Patients in registry", "Dual PET within 31 days", "Dual PET within 31 days", "NETPET P1-P5"],
    "remaining": [400, 350, 350, 319],
    "excluded": [0, 30, 20, 31],
    "reason": [None, "no FDG PET", "scans > 31 days apart", "P0 (no disease)"],
})


def axes_labelled(fig, label):
    return next(ax for ax in fig.axes if ax.get_label() == label)


def artist(ax, gid):
    return next(a for a in [*ax.lines, *ax.collections, *ax.texts] if a.get_gid() == gid)


def rendered(fig):
    """Lay out and draw `fig` on an Agg canvas; return the renderer for measuring text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


@pytest.fixture(scope="module")
def cohort_km():
    return km_tables(*synthetic_cohort())


def test_step_curves_plot_exactly_the_km_table_from_0_1(cohort_km):
    km, summary = cohort_km
    fig = km_figure(km, summary)
    ax = axes_labelled(fig, "km")
    for group in ("P1", "P2-4", "P5"):
        rows = km.filter(pl.col("group") == group)
        line = artist(ax, f"km:{group}")
        assert line.get_drawstyle() == "steps-post"
        assert list(line.get_xdata()) == [0.0, *rows["time"].to_list()]
        assert list(line.get_ydata()) == [1.0, *rows["surv"].to_list()]


def test_a_death_at_time_zero_drops_the_curve_from_one_at_zero():
    table = HAND_KM.filter(pl.col("group") == "P1").with_columns(
        time=pl.Series([0.0, 7.0, 12.0, 20.0, 30.0]))
    line = artist(axes_labelled(km_figure(table), "km"), "km:P1")
    assert list(line.get_xdata()[:2]) == [0.0, 0.0]
    assert list(line.get_ydata()[:2]) == [1.0, 0.8]


def test_at_risk_numbers_are_n_risk_of_the_first_row_at_or_after_each_tick():
    fig = km_figure(HAND_KM, HAND_SUMMARY, xticks=[0, 10, 20, 30, 40])
    table = axes_labelled(fig, "at-risk")
    # P1: tick 0 -> row 3 (5), 10 -> row 12 (3), 20 -> row 20 (2, the tick itself), 30 -> 1, 40 -> none left.
    p1 = texts(table, "at-risk:P1")
    assert [t.get_text() for t in p1] == ["5", "3", "2", "1", "0"]
    assert [t.get_position()[0] for t in p1] == [0, 10, 20, 30, 40]
    # P5: 0 -> row 1 (3), 10 -> nothing at or after 10.
    assert [t.get_text() for t in texts(table, "at-risk:P5")] == ["3", "0", "0", "0", "0"]


def test_risk_table_is_aligned_with_the_curve_axis():
    fig = km_figure(HAND_KM, HAND_SUMMARY, xticks=[0, 10, 20, 30])
    rendered(fig)
    curves, table = axes_labelled(fig, "km"), axes_labelled(fig, "at-risk")
    assert table.get_xlim() == curves.get_xlim()
    assert table.get_position().x0 == pytest.approx(curves.get_position().x0)
    assert table.get_position().x1 == pytest.approx(curves.get_position().x1)
    assert list(curves.get_xticks()) == [0, 10, 20, 30]


def test_cumulative_events_count_events_up_to_each_tick():
    fig = km_figure(HAND_KM, HAND_SUMMARY, xticks=[0, 10, 20, 30], cumulative_events=True)
    events = axes_labelled(fig, "events")
    assert [t.get_text() for t in texts(events, "events:P1")] == ["0", "1", "3", "3"]
    assert [t.get_text() for t in texts(events, "events:P5")] == ["0", "2", "2", "2"]


def test_censor_ticks_sit_at_censoring_times_on_the_curve():
    ax = axes_labelled(km_figure(HAND_KM), "km")
    ticks = artist(ax, "censor:P1")
    assert list(ticks.get_xdata()) == [7.0, 30.0]
    assert list(ticks.get_ydata()) == pytest.approx([0.8, 0.8 * 2 / 3 / 2])
    assert ticks.get_marker() == "|"
    assert ticks.get_linestyle() == "None"


def test_no_censor_ticks_no_band_and_no_table_when_switched_off():
    fig = km_figure(HAND_KM, HAND_SUMMARY, censor_ticks=False, risk_table=False, median_lines=False)
    ax = axes_labelled(fig, "km")
    gids = {a.get_gid() for a in [*ax.lines, *ax.collections]}
    assert gids == {"km:P1", "km:P5"}
    assert [a.get_label() for a in fig.axes] == ["km"]


def test_ci_band_spans_the_lower_and_upper_columns():
    ax = axes_labelled(km_figure(HAND_KM, ci=True), "km")
    band = artist(ax, "ci:P1")
    ys = {round(float(y), 9) for y in band.get_paths()[0].vertices[:, 1]}
    assert {0.5, 0.3, 0.1, 1.0, 0.9} <= ys
    assert ys <= {0.5, 0.3, 0.1, 1.0, 0.9}


def test_median_lines_drop_from_half_at_each_median():
    ax = axes_labelled(km_figure(HAND_KM, HAND_SUMMARY), "km")
    assert list(artist(ax, "median:P1").get_xdata()) == [20.0, 20.0]
    assert list(artist(ax, "median:P1").get_ydata()) == [0.0, 0.5]
    assert list(artist(ax, "median:level").get_xdata()) == [0, 20.0]


def test_groups_are_drawn_and_labelled_p1_then_p2_4_then_p5_with_n(cohort_km):
    km, summary = cohort_km
    shuffled = km.sort("group", descending=True)
    ax = axes_labelled(km_figure(shuffled, summary), "km")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["P1 (n=40)", "P2-4 (n=40)", "P5 (n=40)"]


def test_without_a_summary_n_is_the_number_at_risk_at_the_first_time():
    ax = axes_labelled(km_figure(HAND_KM), "km")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["P1 (n=5)", "P5 (n=3)"]


def test_logrank_p_is_printed_as_journals_do():
    ax = axes_labelled(km_figure(HAND_KM, logrank={"chisq": 25.1, "df": 1, "p": 3e-7}), "km")
    assert artist(ax, "km:logrank").get_text() == "Log-rank p < 0.001"


@pytest.mark.parametrize(
    ("p", "text"),
    [(3e-7, "p < 0.001"), (0.000999, "p < 0.001"), (0.001, "p = 0.001"), (0.0123, "p = 0.012"),
     (0.0498, "p = 0.050"), (0.43, "p = 0.430"), (1.0, "p > 0.999")],
)
def test_format_p_prints_three_decimals_or_below_0_001(p, text):
    assert format_p(p) == text


def test_format_p_refuses_a_value_that_is_not_a_probability():
    with pytest.raises(ValueError, match="p value"):
        format_p(float("nan"))


def test_default_ticks_are_12_months_and_shorter_for_short_follow_up():
    assert time_breaks(96.0, "months") == [0, 12, 24, 36, 48, 60, 72, 84, 96]
    assert time_breaks(100.0, "months")[-1] == 96  # never past the last time anyone is at risk
    assert time_breaks(20.0, "months") == [0, 6, 12, 18]
    assert time_breaks(7.5, "years") == [0, 1, 2, 3, 4, 5, 6, 7]
    assert time_breaks(192.0, "months") == [0, 24, 48, 72, 96, 120, 144, 168, 192]  # at most 9 ticks
    assert time_breaks(150.0, "months", every=30) == [0, 30, 60, 90, 120, 150]


def test_colour_palette_is_okabe_ito_and_grey_palette_uses_greys_and_dashes(cohort_km):
    km, _ = cohort_km
    colour = axes_labelled(km_figure(km), "km")
    assert [artist(colour, f"km:{g}").get_color() for g in ("P1", "P2-4", "P5")] == [
        "#0072B2", "#E69F00", "#D55E00"]
    grey = axes_labelled(km_figure(km, palette="grey"), "km")
    lines = [artist(grey, f"km:{g}") for g in ("P1", "P2-4", "P5")]
    for line in lines:
        r, g, b = line.get_color() if isinstance(line.get_color(), tuple) else (float(line.get_color()),) * 3
        assert r == g == b
    assert [line.get_linestyle() for line in lines] == ["-", "--", ":"]
    assert len({line.get_color() for line in lines}) == 3


def test_text_is_sans_serif_between_7_and_9_points(cohort_km):
    km, summary = cohort_km
    fig = km_figure(km, summary, logrank={"chisq": 1.0, "df": 2, "p": 0.6}, cumulative_events=True)
    rendered(fig)
    sizes = {t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize")) if t.get_text()}
    assert sizes
    assert min(sizes) >= 7
    assert max(sizes) <= 9
    assert fig.axes[0].xaxis.label.get_fontfamily() == ["sans-serif"]


def test_km_figure_draws_into_a_given_axes_and_splits_its_cell():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert km_figure(HAND_KM, ax=right) is fig
    assert right.get_label() == "km"
    table = axes_labelled(fig, "at-risk")
    rendered(fig)
    assert table.get_position().x0 > left.get_position().x1


def test_forest_points_are_the_hazard_ratios_on_a_log_axis():
    ax = forest_plot(COEFS, reference={"netpet_group": "P1"})
    points = artist(ax, "forest:hr")
    # Rows: 0 header "NETPET group", 1 P1 (reference), 2 P2-4, 3 P5, 4 Ki-67.
    assert list(points.get_xdata()) == [2.23, 8.17, 1.02]
    assert list(points.get_ydata()) == [2, 3, 4]
    ci = artist(ax, "forest:ci").get_segments()
    assert [tuple(s[:, 0]) for s in ci] == [(1.5, 3.3), (5.0, 13.3), (1.0, 1.04)]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "NETPET group", "   P1", "   P2-4", "   P5", "Ki-67 index (%), per percentage point"]


def test_forest_text_column_gives_hr_ci_and_p_with_reference_rows():
    ax = forest_plot(COEFS, reference={"netpet_group": "P1"})
    assert [t.get_text() for t in texts(ax, "forest:hr_text")] == [
        "reference", "2.23 (1.50–3.30)", "8.17 (5.00–13.30)", "1.02 (1.00–1.04)"]
    assert [t.get_text() for t in texts(ax, "forest:p_text")] == ["", "<0.001", "<0.001", "0.045"]


def test_forest_text_stays_inside_the_figure():
    ax = forest_plot(COEFS, reference={"netpet_group": "P1"})
    fig = ax.figure
    renderer = rendered(fig)
    for text in [*texts(ax, "forest:p_text"), *texts(ax, "forest:header")]:
        assert text.get_window_extent(renderer).x1 <= fig.bbox.x1


def test_cohort_flow_boxes_show_counts_and_exclusions_by_reason():
    ax = cohort_flow(ATTRITION)
    steps = [t.get_text() for t in texts(ax, "flow:step")]
    assert steps == ["Patients in registry\nn = 400", "Dual PET within 31 days\nn = 350",
                     "NETPET P1-P5\nn = 319"]
    excluded = [t.get_text().replace("\u00a0", " ") for t in texts(ax, "flow:excluded")]
    assert excluded == [
        "Excluded (n = 50)\n  no FDG PET (n = 30)\n  scans > 31 days apart\n    (n = 20)",
        "Excluded (n = 31)\n  P0 (no disease)",  # one reason: n once
    ]
    assert not ax.axison


def test_cohort_flow_boxes_do_not_overlap():
    ax = cohort_flow(ATTRITION)
    renderer = rendered(ax.figure)
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts if t.get_gid()]
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        assert ax.figure.bbox.x0 <= a.x0
        assert a.x1 <= ax.figure.bbox.x1
        assert ax.figure.bbox.y0 <= a.y0
        assert a.y1 <= ax.figure.bbox.y1
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


@pytest.mark.parametrize(("suffix", "magic"), [
    (".pdf", b"%PDF"), (".svg", b"<?xml"), (".png", b"\x89PNG"), (".tiff", b"II*\x00"),
])
def test_saving_twice_gives_identical_bytes(tmp_path, cohort_km, suffix, magic):
    km, summary = cohort_km
    paths = []
    for i in range(2):
        fig = km_figure(km, summary, logrank={"chisq": 30.0, "df": 2, "p": 1e-6})
        paths.append(save_figure(fig, tmp_path / f"km{i}{suffix}"))
    first, second = (p.read_bytes() for p in paths)
    assert first.startswith(magic)
    assert first == second


def test_svg_is_valid_xml_with_text_as_paths(tmp_path):
    path = save_figure(km_figure(HAND_KM, HAND_SUMMARY), tmp_path / "km.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert not [e for e in root.iter() if e.tag.endswith("}text")]


def test_png_and_tiff_have_the_preset_width_at_the_asked_dpi(tmp_path):
    from PIL import Image

    fig = km_figure(HAND_KM, HAND_SUMMARY)
    for name, preset, dpi in (("single.png", "single", 300), ("double.tif", "double", 600)):
        with Image.open(save_figure(fig, tmp_path / name, preset=preset, dpi=dpi)) as image:
            assert image.size[0] == pytest.approx(PRESETS[preset] / 25.4 * dpi, abs=1)
            assert image.info["dpi"][0] == pytest.approx(dpi, abs=0.01)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler not installed")
def test_pdf_renders_with_pdftoppm_and_embeds_truetype_fonts(tmp_path):
    forest_height_mm = 60.0
    pdf = save_figure(forest_plot(COEFS, reference={"netpet_group": "P1"}).figure, tmp_path / "forest.pdf",
                      preset="double", height_mm=forest_height_mm)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").read_bytes().startswith(b"\x89PNG")
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert font_rows
    assert all("TrueType" in row and " yes " in row for row in font_rows)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    width_pt = float(next(line for line in info.splitlines() if line.startswith("Page size")).split()[2])
    assert width_pt == pytest.approx(174 / 25.4 * 72, abs=0.5)
    height_pt = float(next(line for line in info.splitlines() if line.startswith("Page size")).split()[4])
    assert height_pt == pytest.approx(forest_height_mm / 25.4 * 72, abs=0.5)
    assert "CreationDate" not in info


def test_save_figure_refuses_unknown_formats_and_presets(tmp_path):
    fig = km_figure(HAND_KM)
    with pytest.raises(ValueError, match=r"use \.pdf"):
        save_figure(fig, tmp_path / "km.jpg")
    with pytest.raises(ValueError, match="preset"):
        save_figure(fig, tmp_path / "km.pdf", preset="poster")


def test_figures_never_touch_pyplot_state():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    km_figure(HAND_KM)
    forest_plot(COEFS)
    cohort_flow(ATTRITION)
    assert plt.get_fignums() == before

