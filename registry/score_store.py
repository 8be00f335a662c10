"""Keep `derived_scores` in step with `lesion_reads`: re-derive the score of the timepoints given.

The rule itself lives in `registry.scoring` (pure); this module only reads reads and writes scores, inside
the caller's transaction so that reads and their scores change together.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from registry.scoring import derive_scores
from registry.sqlfiles import read_sql


def refresh_derived_scores(con: duckdb.DuckDBPyConnection, timepoint_ids: Sequence[str] | None = None) -> int:
    """Re-derive and store the scores of `timepoint_ids` (all timepoints when None); return rows written.

    A timepoint whose lesion reads were all removed loses its derived score.
    """
    ids = None if timepoint_ids is None else list(dict.fromkeys(timepoint_ids))
    if ids is not None and not ids:
        return 0
    reads = con.execute(read_sql("queries", "lesion_reads_for_scoring"), {"ids": ids}).pl()
    scores = derive_scores(reads)
    con.execute(read_sql("queries", "delete_derived_scores"), {"ids": ids})
    con.register("_new_derived_scores", scores.to_arrow())
    try:
        con.execute(read_sql("queries", "insert_derived_scores"))
    finally:
        con.unregister("_new_derived_scores")
    return scores.height
