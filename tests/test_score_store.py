"""Stored scores: the SQL that derives them at registry scale agrees with netpet.registry.scoring on every input."""

from __future__ import annotations

from itertools import combinations_with_replacement

import polars as pl

from netpet.registry import Registry
from netpet.registry.score_store import refresh_derived_scores
from netpet.registry.scoring import derive_scores

#: Every read the schema accepts: both flags, and the comparison (required when both are avid).
READS = [
    (sstr, fdg, comparison)
    for sstr in (False, True)
    for fdg in (False, True)
    for comparison in (None, "lower", "similar", "higher")
    if not (sstr and fdg and comparison is None)
]
COLUMNS = ["timepoint_id", "lesion_id", "location", "sstr_avid", "fdg_avid", "fdg_vs_sstr"]


def _timepoints() -> list[list[tuple[bool, bool, str | None]]]:
    """Every single read and every pair of reads, and 1-4 FDG>SSTR reads beside every other read (P4a/P4b)."""
    higher = (True, True, "higher")
    sets = [list(pair) for pair in combinations_with_replacement(READS, 2)] + [[read] for read in READS]
    sets += [[higher] * n + [other] for n in range(1, 5) for other in READS]
    return sets


def _store(reg: Registry, reads: pl.DataFrame) -> None:
    with reg.transaction() as con:
        con.register("_reads", reads.to_arrow())
        con.execute("insert into lesion_reads by name select * from _reads")
        con.unregister("_reads")


def test_stored_scores_agree_with_the_scoring_module_on_every_input(registry: Registry) -> None:
    reads = pl.DataFrame(
        [
            (f"T{t:03d}", f"lesion-{i}", "other", *read)
            for t, reads in enumerate(_timepoints())
            for i, read in enumerate(reads)
        ],
        schema=COLUMNS,
        orient="row",
    )
    _store(registry, reads)
    with registry.transaction() as con:
        written = refresh_derived_scores(con)
    stored = registry.query("select * from derived_scores order by timepoint_id")
    expected = derive_scores(reads)
    assert written == expected.height == 120 + 15 + 60
    assert stored.rows() == expected.rows()
    # Hand check: four FDG>SSTR lesions make P4b, one makes P4a (Cancer Imaging 2022, Table 1).
    assert set(stored.filter(pl.col("derived_score") == 4)["p4_subclass"]) == {"P4a", "P4b"}


def test_refreshing_some_timepoints_leaves_the_others_and_drops_scores_without_reads(registry: Registry) -> None:
    reads = pl.DataFrame(
        [("T1", "a", "liver", True, False, None), ("T2", "b", "bone", False, True, None)],
        schema=COLUMNS,
        orient="row",
    )
    _store(registry, reads)
    with registry.transaction() as con:
        refresh_derived_scores(con)
        con.execute("delete from lesion_reads where timepoint_id = 'T2'")
        con.execute("update lesion_reads set fdg_avid = true, fdg_vs_sstr = 'higher' where timepoint_id = 'T1'")
        assert refresh_derived_scores(con, ["T1", "T2", "T1"]) == 1
    # T1: one concordant FDG>SSTR lesion is P4a; T2 has no reads left, so no score (no reads is not P0).
    assert registry.query("select timepoint_id, derived_score, p4_subclass from derived_scores").rows() == [
        ("T1", 4, "P4a")
    ]
