"""The NETPET scoring rules (netpet.registry.scoring): lesion class, patient score, P4a/P4b, group, validation.

Expected values are read off the rules in shared/domain.md (Chan et al. 2017; Cancer Imaging 2022 Table 1),
never produced by the code under test.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.registry import Registry, ValidationError
from netpet.registry.scoring import (
    classify_lesions,
    derive_scores,
    lesion_issues,
    netpet_group,
    netpet_label,
)

# Lesion shorthands: (sstr_avid, fdg_avid, fdg_vs_sstr)
NEG = (False, False, None)
SSTR = (True, False, None)
LOWER = (True, True, "lower")
SIMILAR = (True, True, "similar")
HIGHER = (True, True, "higher")
DISC = (False, True, None)

READ_SCHEMA = {
    "timepoint_id": pl.String,
    "lesion_id": pl.String,
    "sstr_avid": pl.Boolean,
    "fdg_avid": pl.Boolean,
    "fdg_vs_sstr": pl.String,
}


def reads_of(
    lesions: list[tuple[bool | None, bool | None, str | None]], timepoint_id: str = "T1"
) -> pl.DataFrame:
    """Build lesion reads for one timepoint from (sstr_avid, fdg_avid, fdg_vs_sstr) tuples."""
    rows = [(timepoint_id, f"L{i}", *lesion) for i, lesion in enumerate(lesions)]
    return pl.DataFrame(rows, schema=READ_SCHEMA, orient="row")


@pytest.mark.parametrize(
    ("lesion", "expected_class", "expected_score"),
    [
        (NEG, "negative", 0),
        ((False, False, "higher"), "negative", 0),  # a comparison without avidity changes nothing
        (SSTR, "sstr_only", 1),
        ((True, False, "similar"), "sstr_only", 1),
        (LOWER, "concordant_lower", 2),
        (SIMILAR, "concordant_similar", 3),
        (HIGHER, "concordant_higher", 4),
        (DISC, "discordant", 5),
        ((False, True, "lower"), "discordant", 5),  # FDG+/SSTR- is discordant whatever the comparison
    ],
)
def test_lesion_class_follows_chan_2017(lesion, expected_class: str, expected_score: int) -> None:
    classified = classify_lesions(reads_of([lesion]))
    assert classified["lesion_class"].cast(pl.String).to_list() == [expected_class]
    assert classified["class_score"].to_list() == [expected_score]


@pytest.mark.parametrize(
    ("lesions", "score", "subclass", "discordant"),
    [
        pytest.param([NEG], 0, None, 0, id="one negative lesion is P0"),
        pytest.param([NEG, NEG, NEG], 0, None, 0, id="all negative is P0"),
        pytest.param([SSTR], 1, None, 0, id="SSTR-only disease is P1"),
        pytest.param([SSTR, NEG, SSTR], 1, None, 0, id="negatives do not lift P1"),
        pytest.param([LOWER, SSTR], 2, None, 0, id="FDG lower than SSTR is P2"),
        pytest.param([LOWER, SIMILAR, SSTR], 3, None, 0, id="highest concordant lesion sets P3"),
        pytest.param([HIGHER], 4, "P4a", 0, id="one FDG>SSTR lesion is P4a"),
        pytest.param([HIGHER, HIGHER, SIMILAR, LOWER], 4, "P4a", 0, id="two FDG>SSTR lesions are P4a"),
        pytest.param([HIGHER, HIGHER, HIGHER], 4, "P4b", 0, id="three FDG>SSTR lesions are P4b"),
        pytest.param([HIGHER] * 7 + [SSTR], 4, "P4b", 0, id="seven FDG>SSTR lesions are P4b"),
        pytest.param([DISC], 5, None, 1, id="a discordant lesion alone is P5"),
        pytest.param([HIGHER, HIGHER, HIGHER, DISC], 5, None, 1, id="discordant outranks P4b"),
        pytest.param([SIMILAR] * 20 + [DISC], 5, None, 1, id="one discordant among twenty concordant is P5"),
        pytest.param([DISC, DISC, SSTR], 5, None, 2, id="discordant lesions are counted"),
    ],
)
def test_patient_score_is_set_by_most_adverse_lesion(lesions, score: int, subclass, discordant: int) -> None:
    scores = derive_scores(reads_of(lesions))
    assert scores.to_dicts() == [
        {
            "timepoint_id": "T1",
            "derived_score": score,
            "p4_subclass": subclass,
            "lesion_count": len(lesions),
            "discordant_count": discordant,
        }
    ]


def test_no_lesion_reads_derive_no_score() -> None:
    scores = derive_scores(reads_of([]))
    assert scores.height == 0
    assert scores.columns == [
        "timepoint_id",
        "derived_score",
        "p4_subclass",
        "lesion_count",
        "discordant_count",
    ]


def test_each_timepoint_is_scored_on_its_own_lesions() -> None:
    reads = pl.concat([reads_of([DISC], "T2"), reads_of([SSTR, LOWER], "T1"), reads_of([HIGHER] * 3, "T3")])
    scores = derive_scores(reads.lazy())
    assert scores.select("timepoint_id", "derived_score", "p4_subclass").rows() == [
        ("T1", 2, None),
        ("T2", 5, None),
        ("T3", 4, "P4b"),
    ]


def test_missing_comparison_where_both_avid_is_a_validation_error() -> None:
    reads = reads_of([SSTR, (True, True, None), DISC])
    with pytest.raises(ValidationError, match="timepoint T1, lesion L1: fdg_vs_sstr is required") as info:
        derive_scores(reads)
    issues = info.value.issues
    assert isinstance(issues, pl.DataFrame)
    assert issues.select("row_index", "column").rows() == [(1, "fdg_vs_sstr")]


def test_lesion_issues_lists_every_problem_once() -> None:
    reads = reads_of(
        [(True, True, None), LOWER, (None, True, None), (True, None, None), (True, True, "much")]
    )
    issues = lesion_issues(reads)
    assert issues.select("row_index", "column").rows() == [
        (0, "fdg_vs_sstr"),
        (2, "sstr_avid"),
        (3, "fdg_avid"),
        (4, "fdg_vs_sstr"),
    ]
    assert issues["message"][3] == "fdg_vs_sstr must be lower, similar or higher"


def test_lesion_issues_accepts_missing_comparison_when_not_both_avid() -> None:
    assert lesion_issues(reads_of([NEG, SSTR, DISC])).height == 0


@pytest.mark.parametrize(
    ("score", "group"), [(0, "P0"), (1, "P1"), (2, "P2-4"), (3, "P2-4"), (4, "P2-4"), (5, "P5"), (None, None)]
)
def test_netpet_group_follows_published_grouping(score, group) -> None:
    frame = pl.DataFrame({"score": [score]}, schema={"score": pl.Int8})
    assert frame.select(netpet_group("score"))["netpet_group"].to_list() == [group]


def test_netpet_label_shows_p4_subclass() -> None:
    frame = pl.DataFrame({"s": [4, 4, 2, None], "sub": ["P4b", None, None, None]})
    assert frame.select(netpet_label("s", "sub"))["netpet_label"].to_list() == ["P4b", "P4", "P2", None]


# -- properties ------------------------------------------------------------------------------------

lesion_strategy = st.tuples(st.booleans(), st.booleans(), st.sampled_from(["lower", "similar", "higher"]))
timepoint_reads = st.lists(st.tuples(st.sampled_from(["T1", "T2", "T3"]), lesion_strategy), max_size=40)


def frame_of(rows: list[tuple[str, tuple[bool, bool, str]]]) -> pl.DataFrame:
    flat = [(tp, f"L{i}", *lesion) for i, (tp, lesion) in enumerate(rows)]
    return pl.DataFrame(flat, schema=READ_SCHEMA, orient="row")


def reference_score(lesions: list[tuple[bool, bool, str]]) -> int:
    """domain.md in plain Python: P5 if any FDG+/SSTR-, else max P2-P4 by comparison, P1, P0."""
    if any(fdg and not sstr for sstr, fdg, _ in lesions):
        return 5
    concordant = [{"lower": 2, "similar": 3, "higher": 4}[c] for sstr, fdg, c in lesions if sstr and fdg]
    if concordant:
        return max(concordant)
    return 1 if any(sstr for sstr, _, _ in lesions) else 0


@settings(max_examples=60, deadline=None)
@given(timepoint_reads)
def test_scores_match_the_plain_reading_of_the_rules(rows) -> None:
    scores = dict(derive_scores(frame_of(rows)).select("timepoint_id", "derived_score").rows())
    by_tp: dict[str, list] = {}
    for tp, lesion in rows:
        by_tp.setdefault(tp, []).append(lesion)
    assert scores == {tp: reference_score(lesions) for tp, lesions in by_tp.items()}


@settings(max_examples=60, deadline=None)
@given(st.lists(lesion_strategy, max_size=30), st.integers(min_value=0, max_value=30))
def test_any_discordant_lesion_makes_p5(lesions, position) -> None:
    lesions.insert(min(position, len(lesions)), DISC)
    assert derive_scores(reads_of(lesions))["derived_score"].to_list() == [5]


@settings(max_examples=60, deadline=None)
@given(st.lists(lesion_strategy, min_size=1, max_size=30))
def test_adding_sstr_only_lesion_never_raises_score_of_disease(lesions) -> None:
    """An SSTR+/FDG- lesion leaves any score of P1 or more unchanged; it lifts P0 to P1 (disease appears)."""
    before = derive_scores(reads_of(lesions))["derived_score"][0]
    after = derive_scores(reads_of([*lesions, SSTR]))["derived_score"][0]
    assert after == max(before, 1)


@settings(max_examples=60, deadline=None)
@given(timepoint_reads, st.randoms(use_true_random=False))
def test_score_does_not_depend_on_row_order(rows, rnd) -> None:
    reads = frame_of(rows)
    shuffled = reads.sample(fraction=1.0, shuffle=True, seed=rnd.randrange(2**32))
    assert derive_scores(shuffled).equals(derive_scores(reads))


def test_sql_labels_agree_with_the_python_rule(registry: Registry) -> None:
    """The views' macros (sql/macros/netpet_labels.sql) and netpet.registry.scoring label every score alike."""
    from netpet.registry.scoring import netpet_group

    sql = registry.query(
        "select s as score, netpet_score_label(s) as label, netpet_group_label(s) as grp "
        "from (select unnest([0, 1, 2, 3, 4, 5, null]) as s) order by s nulls last"
    )
    python = pl.DataFrame({"score": [0, 1, 2, 3, 4, 5, None]}).select(netpet_group("score").alias("grp"))
    assert sql["grp"].to_list() == python["grp"].to_list()
    assert sql["label"].to_list() == ["P0", "P1", "P2", "P3", "P4", "P5", None]
