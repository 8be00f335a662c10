"""Keep `derived_scores` and `lesion_classes` in step with `lesion_reads`: re-derive the timepoints given.

The rule itself lives in `registry.scoring` (pure); this module only reads reads and writes scores, inside
the caller's transaction so that reads and their scores change together.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from registry.scoring import classify_lesions, derive_scores
from registry.sqlfiles import read_sql


def refresh_derived_scores(con: duckdb.DuckDBPyConnection, timepoint_ids: Sequence[str] | None = None) -> int:
    """Re-derive and store the scores of `timepoint_ids` (all timepoints when None); return rows written.

    A timepoint whose lesion reads were all removed loses its derived score. The class of every lesion
    read is stored too (`lesion_classes`), for the views that explain scores and track lesions.
    """
    ids = None if timepoint_ids is None else list(dict.fromkeys(timepoint_ids))
    if ids is not None and not ids:
        return 0
    reads = con.execute(read_sql("queries", "lesion_reads_for_scoring"), {"ids": ids}).pl()
    scores = derive_scores(reads)
    classes = classify_lesions(reads).select(
        "timepoint_id", "lesion_id", pl.col("lesion_class").cast(pl.String), "class_score"
    )
    for name, frame in (("derived_scores", scores), ("lesion_classes", classes)):
        con.execute(read_sql("queries", f"delete_{name}"), {"ids": ids})
        con.register(f"_new_{name}", frame.to_arrow())
        try:
            con.execute(read_sql("queries", f"insert_{name}"))
        finally:
            con.unregister(f"_new_{name}")
    return scores.height
