"""The NETPET score (P0-P5) from lesion reads: pure functions on polars frames, no I/O.

Owns the rules: the class of one lesion, the patient-level score of one timepoint (with the P4a/P4b
sub-classification), the NETPET group used by survival analyses, and the validation of lesion reads
that scoring needs. Storing scores is `netpet.registry.score_store`'s job; tracking lesions across timepoints
is `netpet.registry.lesions`'.

Rules from Chan et al., Theranostics 2017;7(5):1149-1158, as tabulated in Cancer Imaging 2022
(doi 10.1186/s40644-022-00465-3, Table 1); see shared/domain.md.

>>> reads = pl.DataFrame({"timepoint_id": ["T1", "T1"], "lesion_id": ["liver-s7", "bone-1"],
...                       "sstr_avid": [True, False], "fdg_avid": [True, True],
...                       "fdg_vs_sstr": ["lower", None]})
>>> derive_scores(reads)["derived_score"].to_list()
[5]
"""

from __future__ import annotations

import polars as pl

from netpet.registry.columns import COMPARISONS
from netpet.registry.errors import ValidationError

#: Lesion classes in order of adversity; the patient's score is set by the most adverse lesion.
LESION_CLASSES = (
    "negative",
    "sstr_only",
    "concordant_lower",
    "concordant_similar",
    "concordant_higher",
    "discordant",
)
LESION_CLASS = pl.Enum(LESION_CLASSES)

#: The score each lesion class implies on its own (Chan 2017: P1 SSTR+/FDG-, P2-P4 concordant by FDG
#: avidity relative to SSTR, P5 any FDG+/SSTR- lesion; P0 nothing positive).
CLASS_SCORE = {
    "negative": 0,
    "sstr_only": 1,
    "concordant_lower": 2,
    "concordant_similar": 3,
    "concordant_higher": 4,
    "discordant": 5,
}
SCORE_CLASS = {score: name for name, score in CLASS_SCORE.items()}

#: Concordant (SSTR+ and FDG+) lesions score by the reader's FDG-versus-SSTR comparison (Chan 2017:
#: P2 FDG lower than SSTR, P3 similar, P4 higher).
COMPARISON_SCORE = {"lower": 2, "similar": 3, "higher": 4}

#: P4b when at least this many lesions have FDG avidity higher than SSTR; P4a for 1-2 (Cancer Imaging
#: 2022, Table 1, after Chan 2017).
P4B_MIN_LESIONS = 3

#: Score -> NETPET group of the survival analyses: P1, P2-4, P5 (Chan et al., Br J Cancer 2023;128:549-555);
#: P0 is kept apart because it shows no measurable disease.
NETPET_GROUPS = {0: "P0", 1: "P1", 2: "P2-4", 3: "P2-4", 4: "P2-4", 5: "P5"}

_REQUIRED = ("sstr_avid", "fdg_avid")
_ISSUE_SCHEMA = pl.Schema({"row_index": pl.UInt32, "column": pl.String, "message": pl.String})


def class_score() -> pl.Expr:
    """Return the score (0-5, Int8) one lesion implies on its own, from sstr_avid, fdg_avid, fdg_vs_sstr.

    Null when the lesion cannot be scored (an avidity flag missing, or no comparison where both are avid).
    """
    sstr, fdg = pl.col("sstr_avid"), pl.col("fdg_avid")
    given = pl.col("fdg_vs_sstr").cast(pl.String)
    # A when/then chain: about twice as fast as replace_strict on 10M rows (benchmarks/scoring_throughput.py).
    comparison: pl.Expr = pl.lit(None, pl.Int8)
    for word, score in COMPARISON_SCORE.items():
        comparison = pl.when(given == word).then(pl.lit(score, pl.Int8)).otherwise(comparison)
    return (
        # Chan 2017: a lesion FDG-positive and SSTR-negative is discordant, the P5 pattern.
        pl.when(fdg & ~sstr)
        .then(pl.lit(5, pl.Int8))
        # Chan 2017: positive on both tracers is concordant, graded P2-P4 by FDG relative to SSTR.
        .when(fdg & sstr)
        .then(comparison)
        # Chan 2017: SSTR-positive, FDG-negative disease is the P1 pattern.
        .when(sstr)
        .then(pl.lit(1, pl.Int8))
        # Negative on both tracers (P0 pattern); null flags fall through to null below.
        .when(~sstr & ~fdg)
        .then(pl.lit(0, pl.Int8))
        .otherwise(pl.lit(None, pl.Int8))
        .alias("class_score")
    )


def lesion_class() -> pl.Expr:
    """Classify each lesion read (an Enum of `LESION_CLASSES`) from sstr_avid, fdg_avid and fdg_vs_sstr."""
    return _class_of(class_score())


def _class_of(score: pl.Expr) -> pl.Expr:
    return score.replace_strict(SCORE_CLASS, default=None, return_dtype=LESION_CLASS).alias("lesion_class")


def classify_lesions(reads: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the lesion reads with `lesion_class` and `class_score` columns added.

    Reads that cannot be scored get null class and score; `lesion_issues` says why.
    """
    return reads.lazy().with_columns(class_score()).with_columns(_class_of(pl.col("class_score"))).collect()


def lesion_issues(reads: pl.DataFrame) -> pl.DataFrame:
    """Return every reason a lesion read cannot be scored, one row per problem.

    Parameters
    ----------
    reads : polars.DataFrame
        Lesion reads with at least sstr_avid, fdg_avid and fdg_vs_sstr (booleans and text).

    Returns
    -------
    polars.DataFrame
        row_index (0-based position in `reads`), column, message; empty when every read can be scored.
    """
    indexed = reads.select(*_REQUIRED, "fdg_vs_sstr").with_row_index("row_index")
    checks = [(pl.col(name).is_null(), name, f"{name} is required (true or false)") for name in _REQUIRED]
    checks += [
        # registry-format.md: fdg_vs_sstr is required when both avid; Chan 2017 grades P2-P4 by it.
        (
            pl.col("sstr_avid") & pl.col("fdg_avid") & pl.col("fdg_vs_sstr").is_null(),
            "fdg_vs_sstr",
            "fdg_vs_sstr is required when the lesion is avid on both SSTR and FDG: "
            "give lower, similar or higher",
        ),
        (
            pl.col("fdg_vs_sstr").is_not_null() & ~pl.col("fdg_vs_sstr").cast(pl.String).is_in(COMPARISONS),
            "fdg_vs_sstr",
            "fdg_vs_sstr must be lower, similar or higher",
        ),
    ]
    found = [
        indexed.filter(condition.fill_null(False)).select(
            "row_index", pl.lit(column).alias("column"), pl.lit(message).alias("message")
        )
        for condition, column, message in checks
    ]
    return pl.concat(found).cast(_ISSUE_SCHEMA).sort("row_index", "column", maintain_order=True)


def _raise_on_issues(reads: pl.DataFrame) -> None:
    issues = lesion_issues(reads)
    if issues.height == 0:
        return
    first = issues.row(0, named=True)
    where = f"row {first['row_index']}"
    if {"timepoint_id", "lesion_id"} <= set(reads.columns):
        row = reads.row(first["row_index"], named=True)
        where = f"timepoint {row['timepoint_id']}, lesion {row['lesion_id']}"
    raise ValidationError(
        issues, f"{issues.height} lesion read problem(s) prevent scoring; first: {where}: {first['message']}"
    )


def derive_scores(reads: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Derive one score per timepoint from its lesion reads.

    The patient's score is set by the most adverse lesion (Chan 2017): any discordant lesion makes P5,
    else the highest of P2-P4 among concordant lesions, P1 when only SSTR-positive disease is present,
    P0 when nothing is positive. A timepoint without reads gets no row: no reads is not P0.

    Parameters
    ----------
    reads : polars.DataFrame or polars.LazyFrame
        timepoint_id, sstr_avid, fdg_avid, fdg_vs_sstr (other columns are ignored); rows in any order.

    Returns
    -------
    polars.DataFrame
        timepoint_id, derived_score (0-5), p4_subclass ('P4a' for 1-2 FDG>SSTR lesions, 'P4b' for 3 or
        more; null unless the score is 4), lesion_count and discordant_count, sorted by timepoint_id.

    Raises
    ------
    ValidationError
        When a read cannot be scored (see `lesion_issues`); `issues` holds every problem.
    """
    frame = reads.collect() if isinstance(reads, pl.LazyFrame) else reads
    _raise_on_issues(frame)
    return (
        frame.lazy()
        .select("timepoint_id", class_score())
        .group_by("timepoint_id")
        .agg(
            pl.col("class_score").max().alias("derived_score"),
            (pl.col("class_score") == CLASS_SCORE["concordant_higher"]).sum().alias("higher_count"),
            pl.len().cast(pl.Int32).alias("lesion_count"),
            (pl.col("class_score") == CLASS_SCORE["discordant"])
            .sum()
            .cast(pl.Int32)
            .alias("discordant_count"),
        )
        .with_columns(p4_subclass(pl.col("derived_score"), pl.col("higher_count")))
        .select("timepoint_id", "derived_score", "p4_subclass", "lesion_count", "discordant_count")
        .sort("timepoint_id")
        .collect()
    )


def p4_subclass(score: pl.Expr, higher_count: pl.Expr) -> pl.Expr:
    """Return 'P4a' (1-2 lesions with FDG above SSTR) or 'P4b' (3 or more) for P4, else null.

    Cancer Imaging 2022, Table 1: P4a 1-2 FDG>SSTR lesions, P4b 3 or more. Only lesions of class
    concordant_higher count; a discordant lesion would have made the score P5.
    """
    return (
        pl.when(score == CLASS_SCORE["concordant_higher"])
        .then(pl.when(higher_count >= P4B_MIN_LESIONS).then(pl.lit("P4b")).otherwise(pl.lit("P4a")))
        .otherwise(pl.lit(None, pl.String))
        .alias("p4_subclass")
    )


def netpet_group(score: pl.Expr | str) -> pl.Expr:
    """Return the NETPET group of a score (0-5 or null): 'P0', 'P1', 'P2-4' or 'P5'.

    Survival analyses group P1, P2-4 and P5 (Chan et al., Br J Cancer 2023); P0 is kept separate.

    >>> pl.DataFrame({"s": [0, 1, 3, 5, None]}).select(netpet_group("s"))["netpet_group"].to_list()
    ['P0', 'P1', 'P2-4', 'P5', None]
    """
    expr = pl.col(score) if isinstance(score, str) else score
    return expr.replace_strict(NETPET_GROUPS, default=None, return_dtype=pl.String).alias("netpet_group")


def netpet_label(score: pl.Expr | str, subclass: pl.Expr | str) -> pl.Expr:
    """Return the printed score: 'P0'-'P5', with P4 shown as its sub-class 'P4a'/'P4b' when known."""
    score_expr = pl.col(score) if isinstance(score, str) else score
    subclass_expr = pl.col(subclass) if isinstance(subclass, str) else subclass
    plain = pl.lit("P") + score_expr.cast(pl.String)
    return pl.coalesce(subclass_expr, plain).alias("netpet_label")
