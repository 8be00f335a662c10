"""Keep `derived_scores` in step with `lesion_reads`: re-derive the score of the timepoints given.

The rule is `netpet.registry.scoring`'s (pure polars); at registry scale the scores are derived by its SQL twin
(`sql/queries/score_timepoints.sql`, checked against it on every input by the tests) so that tens of millions
of reads never leave DuckDB. Writes happen inside the caller's transaction so that reads and their scores
change together.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from netpet.registry.scoring import P4B_MIN_LESIONS, derive_scores
from netpet.registry.sqlfiles import read_sql


def refresh_derived_scores(con: duckdb.DuckDBPyConnection, timepoint_ids: Sequence[str] | None = None) -> int:
    """Re-derive and store the scores of `timepoint_ids` (all timepoints when None); return rows written.

    A timepoint whose lesion reads were all removed loses its derived score.

    Raises
    ------
    ValidationError
        When a read cannot be scored (from `netpet.registry.scoring.derive_scores`); nothing is written.
    """
    ids = pl.DataFrame({"timepoint_id": list(timepoint_ids or [])}, schema={"timepoint_id": pl.String})
    if timepoint_ids is not None and ids.height == 0:
        return 0
    con.register("_given_timepoints", ids.to_arrow())  # empty when every timepoint is scored
    try:
        con.execute(read_sql("queries", "select_score_timepoints"))
    finally:
        con.unregister("_given_timepoints")
    return _refresh(con, every=timepoint_ids is None)


def refresh_listed_scores(con: duckdb.DuckDBPyConnection) -> int:
    """Re-derive the scores of the timepoints in temp table `_score_timepoints` (timepoint_id); return rows written.

    The importer lists the timepoints whose reads it changes there in SQL, never as a Python list.
    """
    return _refresh(con, every=False)


def _refresh(con: duckdb.DuckDBPyConnection, *, every: bool) -> int:
    try:
        con.execute(read_sql("queries", "score_timepoints"), {"all": every, "p4b_min": P4B_MIN_LESIONS})
        found = con.execute(read_sql("queries", "count_new_derived_scores")).fetchone()
        rows, unscorable = (int(found[0]), int(found[1] or 0)) if found else (0, 0)
        if unscorable:
            derive_scores(con.execute(read_sql("queries", "lesion_reads_for_scoring"), {"all": every}).pl())
        con.execute(read_sql("queries", "delete_derived_scores"), {"all": every})
        con.execute(read_sql("queries", "insert_derived_scores"))
    finally:
        con.execute(read_sql("queries", "drop_score_temporaries"))
    return rows
