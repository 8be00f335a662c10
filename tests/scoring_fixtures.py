"""Helpers for the scoring, lesion and pairing tests: a small registry from tests/data/scoring_registry.sql.

The registry is filled with plain SQL inserts, independent of the importer; `rederive` then does what every
write path does after writing clinical rows: re-derive NETPET scores and the stored analysis rows. Test modules
wrap these helpers in their own fixtures (plain imports, so that no test module doubles as a pytest plugin).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from netpet.registry import Registry
from netpet.registry.analysis_tables import refresh_analysis_tables
from netpet.registry.score_store import refresh_derived_scores

SCORING_SQL = Path(__file__).parent / "data" / "scoring_registry.sql"


def rederive(con: duckdb.DuckDBPyConnection, timepoint_ids: list[str] | None = None) -> None:
    """Re-derive the scores of `timepoint_ids` (all when None) and every stored analysis row, as a write does."""
    refresh_derived_scores(con, timepoint_ids)
    refresh_analysis_tables(con)


def fill_scoring_registry(reg: Registry) -> Registry:
    """Insert patients A, B, C (see the SQL file) and derive their scores, in one transaction."""
    with reg.transaction() as con:
        con.execute(SCORING_SQL.read_text(encoding="utf-8"))
        rederive(con)
    return reg
