"""The NETPET score (P0-P5) from lesion reads: pure functions on polars frames, no I/O.

Rules from Chan et al., Theranostics 2017;7(5):1149-1158, as tabulated in Cancer Imaging 2022
(doi 10.1186/s40644-022-00465-3, Table 1); see shared/domain.md.
"""

from __future__ import annotations

import polars as pl

#: Lesion classes in order of adversity; the patient's score is set by the most adverse lesion.
LESION_CLASSES = ("negative", "sstr_only", "concordant_lower", "concordant_similar", "concordant_higher", "discordant")

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


def lesion_class() -> pl.Expr:
    """Classify each lesion read from sstr_avid, fdg_avid and fdg_vs_sstr."""
    return (
        pl.when(pl.col("fdg_avid") & ~pl.col("sstr_avid"))
        .then(pl.lit("discordant"))
        .when(pl.col("fdg_avid") & pl.col("sstr_avid"))
        .then(pl.lit("concordant_") + pl.col("fdg_vs_sstr"))
        .when(pl.col("sstr_avid"))
        .then(pl.lit("sstr_only"))
        .otherwise(pl.lit("negative"))
        .alias("lesion_class")
    )


def classify_lesions(reads: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the lesion reads with `lesion_class` and `class_score` columns added."""
    return (
        reads.lazy()
        .with_columns(lesion_class())
        .with_columns(pl.col("lesion_class").replace_strict(CLASS_SCORE, return_dtype=pl.Int8).alias("class_score"))
        .collect()
    )


def derive_scores(reads: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Derive one score per timepoint from its lesion reads.

    Returns timepoint_id, derived_score (0-5), p4_subclass ('P4a' for 1-2 FDG>SSTR lesions, 'P4b' for
    3 or more, Chan 2017; null unless the score is 4), lesion_count and discordant_count.
    """
    classified = classify_lesions(reads)
    return (
        classified.group_by("timepoint_id")
        .agg(
            pl.col("class_score").max().alias("derived_score"),
            (pl.col("lesion_class") == "concordant_higher").sum().alias("higher_count"),
            pl.len().alias("lesion_count"),
            (pl.col("lesion_class") == "discordant").sum().cast(pl.Int32).alias("discordant_count"),
        )
        .with_columns(
            pl.when(pl.col("derived_score") == 4)
            .then(pl.when(pl.col("higher_count") >= 3).then(pl.lit("P4b")).otherwise(pl.lit("P4a")))
            .alias("p4_subclass"),
            pl.col("lesion_count").cast(pl.Int32),
        )
        .select("timepoint_id", "derived_score", "p4_subclass", "lesion_count", "discordant_count")
        .sort("timepoint_id")
    )
