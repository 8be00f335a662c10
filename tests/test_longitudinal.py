"""Longitudinal analyses: counting-process intervals, their validation, landmarks, transitions, treatment by score.

Expected values are worked out by hand from the dated timepoints in each test (days from 2020-01-01).
"""

from __future__ import annotations

import polars as pl
import pytest

from netpet.analysis.studies.longitudinal import (
    NO_SCORE,
    ZERO_LENGTH,
    check_intervals,
    landmark_frame,
    score_intervals,
    time_varying_frame,
    treatment_outcomes,
)
from netpet.analysis.studies.transitions import (
    discordant_after_prrt,
    prrt_given_to_p5,
    score_transitions,
    time_in_score,
    transition_matrix,
)
from netpet.registry import ValidationError
from tests.longitudinal_fixtures import add_patient, add_small_cohort

SMALL_CSV = "tests/reference/timevarying/score_intervals_small.csv"


def test_intervals_split_follow_up_at_each_timepoint(registry):
    add_patient(registry, "A", timepoints=[(0, 1), (100, 1), (200, 5)], death=300)
    frame = score_intervals(registry, time_unit="days").frame
    assert frame.select("entry", "time", "event", "netpet_score").rows() == [
        (0.0, 100.0, 0, "P1"), (100.0, 200.0, 0, "P1"), (200.0, 300.0, 1, "P5"),
    ]


def test_small_cohort_intervals_equal_the_hand_built_rows_r_fitted(registry):
    """C's single timepoint on its death day is one zero-length row, dropped and counted as R drops it."""
    add_small_cohort(registry)
    data = score_intervals(registry, time_unit="days")
    expected = pl.read_csv(SMALL_CSV).filter(pl.col("tstart") < pl.col("tstop"))
    actual = data.frame.select("patient_id", "entry", "time", "event", "group")
    assert actual.rows() == [(r[0], float(r[1]), float(r[2]), r[3], r[4]) for r in expected.rows()]
    assert data.excluded == {ZERO_LENGTH: 1}


def test_a_score_on_the_death_day_starts_no_interval(registry):
    add_patient(registry, "L", timepoints=[(0, 1), (300, 5), (310, 5)], death=310)
    frame = score_intervals(registry, time_unit="days").frame
    assert frame.select("entry", "time", "event").rows() == [(0.0, 300.0, 0), (300.0, 310.0, 1)]


def test_months_are_days_over_30_4375(registry):
    add_patient(registry, "A", timepoints=[(0, 1), (61, 2)], last_contact=365)
    frame = score_intervals(registry).frame
    assert frame["time"].to_list() == pytest.approx([61 / 30.4375, 365 / 30.4375], rel=1e-12)


def test_score_recorded_after_death_is_a_validation_error(registry):
    add_patient(registry, "A", timepoints=[(0, 1), (400, 5)], death=300)
    with pytest.raises(ValidationError, match=r"after death: patient A timepoint A-T2 on 2021-02-04") as info:
        score_intervals(registry)
    assert info.value.issues["timepoint_id"].to_list() == ["A-T2"]


def test_overlapping_intervals_are_a_validation_error():
    rows = pl.DataFrame({"patient_id": ["A", "A", "B"], "entry": [0.0, 5.0, 0.0], "time": [10.0, 20.0, 3.0]})
    with pytest.raises(ValidationError, match=r"A \(5.0, 20.0\]: overlaps the previous interval") as info:
        check_intervals(rows)
    assert info.value.issues.height == 1


def test_an_interval_stopping_before_it_starts_is_a_validation_error():
    rows = pl.DataFrame({"patient_id": ["A"], "entry": [5.0], "time": [2.0]})
    with pytest.raises(ValidationError, match="stop before start"):
        check_intervals(rows)


def test_gaps_and_zero_length_rows_pass_the_interval_check():
    rows = pl.DataFrame({"patient_id": ["A", "A", "B"], "entry": [0.0, 12.0, 0.0], "time": [10.0, 20.0, 0.0]})
    check_intervals(rows)


def test_unscored_interval_is_dropped_and_counted(registry):
    add_patient(registry, "A", timepoints=[(0, 1), (100, None), (200, 2)], last_contact=300)
    data = score_intervals(registry, time_unit="days")
    assert data.frame.select("entry", "time").rows() == [(0.0, 100.0), (200.0, 300.0)]
    assert data.excluded == {NO_SCORE: 1}


def test_fixed_covariates_join_every_interval(registry):
    add_patient(registry, "A", timepoints=[(0, 1), (100, 2)], last_contact=300, age_years=60)
    frame = score_intervals(registry, covariates=["who_grade"]).frame
    assert frame["who_grade"].to_list() == ["G2", "G2"]


def test_landmark_groups_by_latest_score_at_or_before_it(registry):
    add_small_cohort(registry)
    data = landmark_frame(registry, 150, time_unit="days")
    groups = dict(data.frame.select("patient_id", "group").rows())
    assert groups == {"A": "P1", "B": "P2-4", "D": "P5", "E": "P1", "F": "P2-4", "G": "P5", "H": "P1",
                      "I": "P2-4", "J": "P1", "K": "P2-4", "L": "P1", "M": "P2-4"}
    assert data.excluded == {"os event or censored by the landmark": 1}  # C died on day 0
    a = data.frame.filter(pl.col("patient_id") == "A").row(0, named=True)
    assert (a["entry"], a["time"], a["event"]) == (0.0, 150.0, 1)


def _transition_cohort(reg):
    add_patient(reg, "A", timepoints=[(0, 1), (100, 1), (200, 5)], last_contact=300)
    add_patient(reg, "B", timepoints=[(0, 2), (100, 5), (200, 3)], last_contact=300)
    add_patient(reg, "C", timepoints=[(0, 1), (100, None), (200, 1)], last_contact=300)


def test_transitions_count_consecutive_scored_pairs_with_row_proportions(registry):
    _transition_cohort(registry)
    table = score_transitions(registry)
    assert table.select("from", "to", "n", "row_total", "proportion").rows() == [
        ("P1", "P1", 1, 2, 0.5), ("P1", "P5", 1, 2, 0.5), ("P2", "P5", 1, 1, 1.0), ("P5", "P3", 1, 1, 1.0),
    ]


def test_transition_matrix_by_group_fills_absent_pairs_with_zero(registry):
    _transition_cohort(registry)
    matrix = transition_matrix(score_transitions(registry, by="netpet_group"))
    assert matrix.columns == ["from", "P1", "P2-4", "P5"]
    assert matrix.rows() == [("P1", 1, 0, 1), ("P2-4", 0, 0, 1), ("P5", 0, 1, 0)]


def test_time_in_score_sums_interval_lengths(registry):
    add_small_cohort(registry)
    table = time_in_score(registry, by="netpet_group", time_unit="days")
    assert table.select("level", "patients", "intervals", "person_time").rows() == [
        ("P1", 6, 7, 1670.0), ("P2-4", 8, 9, 1830.0), ("P5", 6, 6, 870.0),
    ]
    assert table["share"].to_list() == pytest.approx([1670 / 4370, 1830 / 4370, 870 / 4370])


def _treated_cohort(reg):
    prrt = "prrt_lu177_dotatate"
    add_patient(reg, "T1", timepoints=[(0, 1), (100, 1), (200, 5)], death=300, progressions=[180],
                treatments=[(prrt, 120, 240)])
    add_patient(reg, "T2", timepoints=[(0, 5)], last_contact=400, treatments=[(prrt, 30, 150)])
    add_patient(reg, "T3", timepoints=[(0, 2), (150, 3)], last_contact=500,
                treatments=[(prrt, 10, 100), (prrt, 200, None)])
    add_patient(reg, "T4", timepoints=[(100, 1)], last_contact=300, treatments=[(prrt, 20, 90)])
    add_patient(reg, "T5", timepoints=[(0, 4)], last_contact=300, treatments=[("ssa_octreotide", 5, None)])


def test_treatment_outcomes_start_at_first_course_grouped_by_prior_score(registry):
    _treated_cohort(registry)
    data = treatment_outcomes(registry, endpoint="pfs", time_unit="days")
    assert data.frame.select("patient_id", "time", "event", "group").rows() == [
        ("T1", 60.0, 1, "P1"), ("T2", 370.0, 0, "P5"), ("T3", 490.0, 0, "P2-4"),
    ]
    assert data.excluded == {"no scored timepoint on or before the treatment start": 1}
    os_ = treatment_outcomes(registry, endpoint="os", time_unit="days").frame
    assert os_.filter(pl.col("patient_id") == "T1").select("time", "event").row(0) == (180.0, 1)


def test_prrt_given_to_p5_lists_courses_after_a_p5_score(registry):
    _treated_cohort(registry)
    flagged = prrt_given_to_p5(registry)
    assert flagged.select("patient_id", "treatment_id", "netpet_score", "days_since_timepoint").rows() == [
        ("T2", "T2-R1", "P5", 30),
    ]


def test_discordance_after_prrt_counts_evaluable_patients_who_became_p5(registry):
    _treated_cohort(registry)
    table = discordant_after_prrt(registry)
    assert table.select("score_before", "treated", "evaluable", "became_p5").rows() == [
        ("P1", 1, 1, 1), ("P2", 1, 1, 0), ("P5", 1, 0, 0), ("unscored", 1, 0, 0), ("all", 4, 2, 1),
    ]
    assert table["share"].to_list() == [1.0, 0.0, None, None, 0.5]


def test_time_varying_frame_drops_p0_intervals_and_counts_them(registry):
    add_patient(registry, "A", timepoints=[(0, 0), (100, 1), (200, 5)], death=300)
    data = time_varying_frame(registry, time_unit="days")
    assert data.frame.select("entry", "time", "event", "group").rows() == [(100.0, 200.0, 0, "P1"),
                                                                           (200.0, 300.0, 1, "P5")]
    assert data.excluded == {"P0 interval (no measurable disease)": 1}
    assert data.by == "netpet_group"


def test_demo_intervals_tile_each_patients_overall_survival(registries, tmp_path):
    """The view's rows of each patient run from 0 to the OS time with no gap or overlap, one death at most."""
    from netpet.analysis.studies.frames import survival_frame
    from netpet.registry import Registry
    from tests.longitudinal_fixtures import load_demo

    with Registry.open(registries.copy()) as reg:
        load_demo(reg, tmp_path / "demo", patients=120)
        rows = reg.query_file("queries", "score_intervals")
        os_ = survival_frame(reg, by=None, time_unit="days").frame
    check_intervals(rows, start="tstart_days", stop="tstop_days")
    per_patient = rows.group_by("patient_id").agg(
        pl.col("tstart_days").min().alias("first"),
        pl.col("tstop_days").max().alias("last"),
        (pl.col("tstop_days") - pl.col("tstart_days")).sum().alias("length"),
        pl.col("event").sum().alias("events"),
    ).join(os_, on="patient_id")
    assert per_patient.height == os_.height
    assert (per_patient["first"] == 0).all()
    assert (per_patient["last"] == per_patient["time"]).all()
    assert (per_patient["length"] == per_patient["time"]).all()
    assert (per_patient["events"] == per_patient["event"]).all()
