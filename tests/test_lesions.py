"""Lesion tracking, score disagreements and the score analyses use, on a real registry file.

The registry (tests/data/scoring_registry.sql): patient A moves from P3 to P5 because bone-1 turns
discordant; A-T2 was recorded P3 (derived P5); A-T3 has a recorded P5 only; B-T1 was recorded P4 but its
reads support P2 (one FDG<SSTR lesion, one SSTR-only).
"""

from __future__ import annotations

import polars as pl
import pytest

from netpet.registry import Registry, RegistryError
from netpet.registry.lesions import lesion_changes, patient_timeline, score_disagreements
from netpet.registry.scoring import classify_lesions
from tests.scoring_fixtures import fill_scoring_registry, rederive


@pytest.fixture
def scored_registry(registry: Registry) -> Registry:
    """The empty `registry` fixture filled with patients A, B, C and their derived scores."""
    return fill_scoring_registry(registry)


def test_lesion_changes_explain_move_from_p3_to_p5(scored_registry: Registry) -> None:
    changes = lesion_changes(scored_registry, "A")
    second = changes.filter(changes["timepoint_id"] == "A-T2")
    rows = {r["lesion_id"]: r for r in second.to_dicts()}
    assert (rows["bone-1"]["previous_class"], rows["bone-1"]["lesion_class"]) == ("sstr_only", "discordant")
    assert (rows["bone-1"]["status"], rows["bone-1"]["change"], rows["bone-1"]["sets_score"]) == (
        "changed",
        "worse",
        True,
    )
    assert rows["liver-s7"]["status"] == "persisting"
    assert rows["lung-1"]["status"] == "new"
    assert (rows["node-1"]["status"], rows["node-1"]["lesion_class"], rows["node-1"]["location"]) == (
        "resolved",
        None,
        "lymph_node",
    )


def test_first_read_timepoint_is_baseline(scored_registry: Registry) -> None:
    changes = lesion_changes(scored_registry, "A")
    first = changes.filter(changes["timepoint_id"] == "A-T1")
    assert sorted(first["lesion_id"]) == ["bone-1", "liver-s7", "node-1"]
    assert set(first["status"]) == {"baseline"}


def test_timepoint_without_reads_does_not_resolve_lesions(scored_registry: Registry) -> None:
    # A-T3 has no lesion reads: no lesion of A may be reported resolved there.
    changes = lesion_changes(scored_registry, "A")
    assert "A-T3" not in changes["timepoint_id"].to_list()


def test_reappearing_lesion_is_new_again(scored_registry: Registry) -> None:
    with scored_registry.transaction() as con:
        con.execute(
            "insert into lesion_reads (timepoint_id, lesion_id, location, sstr_avid, fdg_avid) "
            "values ('A-T3', 'node-1', 'lymph_node', true, false)"
        )
        rederive(con, ["A-T3"])
    changes = lesion_changes(scored_registry, "A")
    node = changes.filter(changes["lesion_id"] == "node-1").select("timepoint_id", "status").rows()
    assert node == [("A-T1", "baseline"), ("A-T2", "resolved"), ("A-T3", "new")]


def test_disagreements_name_the_lesions_that_explain_them(scored_registry: Registry) -> None:
    found = score_disagreements(scored_registry)
    assert found.select(
        "timepoint_id", "recorded_score", "derived_score", "direction", "explaining_lesions"
    ).rows() == [
        ("A-T2", 3, 5, "derived_higher", "bone-1 (discordant)"),
        ("B-T1", 4, 2, "derived_lower", "liver-1 (concordant_lower)"),
    ]


def test_agreeing_and_unread_timepoints_are_not_disagreements(scored_registry: Registry) -> None:
    found = score_disagreements(scored_registry, "A")
    assert found["timepoint_id"].to_list() == ["A-T2"]  # A-T1 agrees (P3), A-T3 has no derived score


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # auto: derived where reads exist (A-T1 3, A-T2 5, B-T1 2), else recorded (A-T3 5)
        (
            "auto",
            {"A-T1": (3, "derived"), "A-T2": (5, "derived"), "A-T3": (5, "recorded"), "B-T1": (2, "derived")},
        ),
        (
            "recorded",
            {
                "A-T1": (3, "recorded"),
                "A-T2": (3, "recorded"),
                "A-T3": (5, "recorded"),
                "B-T1": (4, "recorded"),
            },
        ),
        (
            "derived",
            {
                "A-T1": (3, "derived"),
                "A-T2": (5, "derived"),
                "A-T3": (None, None),
                "B-T1": (2, "derived"),
            },
        ),
    ],
)
def test_score_source_setting_chooses_the_score_analyses_use(
    scored_registry: Registry, source, expected
) -> None:
    scored_registry.set_setting("score_source", source)
    used = scored_registry.query("select timepoint_id, score, score_origin from timepoint_scores")
    assert {tp: (score, origin) for tp, score, origin in used.rows()} == expected


def test_removing_reads_removes_derived_score_and_classes(scored_registry: Registry) -> None:
    with scored_registry.transaction() as con:
        con.execute("delete from lesion_reads where timepoint_id = 'B-T1'")
        rederive(con, ["B-T1"])
    assert (
        scored_registry.query("select count(*) as n from lesion_classes where timepoint_id = 'B-T1'")["n"][0]
        == 0
    )
    used = scored_registry.query(
        "select score, score_origin from timepoint_scores where timepoint_id = 'B-T1'"
    )
    assert used.rows() == [(4, "recorded")]


def test_patient_timeline_lists_every_timepoint_with_its_lesions(scored_registry: Registry) -> None:
    timeline = patient_timeline(scored_registry, "A")
    per_timepoint = timeline.group_by("timepoint_id", maintain_order=True).len().rows()
    assert per_timepoint == [("A-T1", 3), ("A-T2", 4), ("A-T3", 1)]
    last = timeline.filter(timeline["timepoint_id"] == "A-T3").row(0, named=True)
    assert (last["recorded_score"], last["derived_score"], last["lesion_id"]) == (5, None, None)


def test_patient_timeline_of_unknown_patient_is_an_error(scored_registry: Registry) -> None:
    with pytest.raises(RegistryError, match="no patient Z"):
        patient_timeline(scored_registry, "Z")


def test_lesion_read_negative_again_is_changed_for_the_better(scored_registry: Registry) -> None:
    with scored_registry.transaction() as con:
        con.execute(
            "insert into lesion_reads (timepoint_id, lesion_id, location, sstr_avid, fdg_avid) "
            "values ('A-T3', 'bone-1', 'bone', false, false)"
        )
        rederive(con, ["A-T3"])
    changes = lesion_changes(scored_registry, "A")
    bone = changes.filter((changes["lesion_id"] == "bone-1") & (changes["timepoint_id"] == "A-T3"))
    assert bone.select("previous_class", "lesion_class", "status", "change").rows() == [
        ("discordant", "negative", "changed", "better")
    ]
    # Only bone-1 was read at A-T3: liver-s7 and lung-1 are reported resolved there.
    resolved = changes.filter((changes["timepoint_id"] == "A-T3") & (changes["status"] == "resolved"))
    assert sorted(resolved["lesion_id"]) == ["liver-s7", "lung-1"]


def test_sql_lesion_classes_agree_with_scoring_module(scored_registry: Registry) -> None:
    """View lesion_classes restates netpet.registry.scoring's rule in SQL; both must agree on every input."""
    combos = [
        (sstr, fdg, comparison)
        for sstr in (False, True)
        for fdg in (False, True)
        for comparison in (None, "lower", "similar", "higher")
        if not (sstr and fdg and comparison is None)  # the schema refuses it (validation error in scoring)
    ]
    reads = pl.DataFrame(
        [("B-T1", f"combo-{i}", "other", *combo) for i, combo in enumerate(combos)],
        schema=["timepoint_id", "lesion_id", "location", "sstr_avid", "fdg_avid", "fdg_vs_sstr"],
        orient="row",
    )
    with scored_registry.transaction() as con:
        con.execute("delete from lesion_reads where timepoint_id = 'B-T1'")
        con.register("combos", reads.to_arrow())
        con.execute("insert into lesion_reads by name select * from combos")
        con.unregister("combos")
    in_sql = scored_registry.query(
        "select lesion_id, lesion_class, class_score from lesion_classes where timepoint_id = 'B-T1'"
    ).sort("lesion_id")
    in_python = (
        classify_lesions(reads)
        .select("lesion_id", pl.col("lesion_class").cast(pl.String), "class_score")
        .sort("lesion_id")
    )
    assert in_sql.rows() == in_python.rows()
    assert in_sql.height == 15  # 2 x 2 x 4 inputs less the one the schema refuses
