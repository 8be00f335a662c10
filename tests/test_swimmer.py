"""Swimmer plot and transition figure: the artists hold exactly the frames' numbers (not pixels)."""

from __future__ import annotations

import numpy as np
import pytest

from netpet.analysis.errors import AnalysisError
from netpet.analysis.outputs.swimmer import swimmer_frames, swimmer_plot, transition_figure
from netpet.analysis.studies.transitions import score_transitions
from tests.longitudinal_fixtures import add_patient


def _cohort(reg):
    add_patient(reg, "A", timepoints=[(0, 1), (100, 5)], death=300, progressions=[90],
                treatments=[("prrt_lu177_dotatate", 10, 60)])
    add_patient(reg, "B", timepoints=[(0, 2)], last_contact=600, treatments=[("ssa_octreotide", 0, None)])
    add_patient(reg, "C", timepoints=[(0, None)], last_contact=30)


def _artist(ax, gid):
    found = [a for a in ax.collections if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def _bars(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def test_lanes_sorted_longest_on_top_with_followup_lengths(registries):
    from netpet.registry import Registry

    with Registry.open(registries.copy()) as reg:
        _cohort(reg)
        ax = swimmer_plot(reg, time_unit="days")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["C", "A", "B"]
    widths = [bar.get_width() for bar in _bars(ax, "lanes")]
    assert widths == [30.0, 300.0, 600.0]


def test_markers_sit_on_their_lanes_at_their_times(registries):
    from netpet.registry import Registry

    with Registry.open(registries.copy()) as reg:
        _cohort(reg)
        ax = swimmer_plot(reg, time_unit="days")
    lane = {"C": 0, "A": 1, "B": 2}
    assert _artist(ax, "timepoints:P5").get_offsets().tolist() == [[100.0, lane["A"]]]
    assert _artist(ax, "timepoints:unscored").get_offsets().tolist() == [[0.0, lane["C"]]]
    assert _artist(ax, "progression").get_offsets().tolist() == [[90.0, lane["A"]]]
    assert _artist(ax, "death").get_offsets().tolist() == [[300.0, lane["A"]]]
    assert sorted(_artist(ax, "ongoing").get_offsets().tolist()) == [[30.0, lane["C"]], [600.0, lane["B"]]]


def test_treatment_bars_span_start_to_end_and_ongoing_to_last_contact(registries):
    from netpet.registry import Registry

    with Registry.open(registries.copy()) as reg:
        _cohort(reg)
        ax = swimmer_plot(reg, time_unit="days")
    prrt = _bars(ax, "treatment:PRRT")
    assert [(b.get_x(), b.get_width()) for b in prrt] == [(10.0, 50.0)]
    ssa = _bars(ax, "treatment:SSA")
    assert [(b.get_x(), b.get_width()) for b in ssa] == [(0.0, 600.0)]


def test_patient_selection_by_count_and_by_id(registries):
    from netpet.registry import Registry

    with Registry.open(registries.copy()) as reg:
        _cohort(reg)
        assert swimmer_frames(reg, 2)["lanes"]["patient_id"].to_list() == ["A", "B"]
        assert swimmer_frames(reg, ["C"])["lanes"]["patient_id"].to_list() == ["C"]
        with pytest.raises(AnalysisError, match="no dual-PET timepoint for patient"):
            swimmer_frames(reg, ["Z"])


def test_transition_figure_image_holds_row_proportions(registries):
    from netpet.registry import Registry

    with Registry.open(registries.copy()) as reg:
        add_patient(reg, "A", timepoints=[(0, 1), (100, 1), (200, 5)], last_contact=300)
        add_patient(reg, "B", timepoints=[(0, 2), (100, 5), (200, 3)], last_contact=300)
        table = score_transitions(reg, by="netpet_group")
    ax = transition_figure(table)
    image = next(i for i in ax.images if i.get_gid() == "transitions")
    # P1 -> P1, P5 once each of 2; P2-4 -> P5 once; P5 -> P2-4 once.
    assert np.asarray(image.get_array()).tolist() == [[0.5, 0.0, 0.5], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    cell = next(t for t in ax.texts if t.get_gid() == "cell:P1:P5")
    assert cell.get_text() == "1\n50%"
