"""Helpers for the scoring, lesion and pairing tests: a small registry from tests/data/scoring_registry.sql.

The importer is another module's business, so the registry is filled with plain SQL inserts and its
scores derived with `refresh_derived_scores`, as the importer will do. Test modules wrap these helpers
in their own fixtures (plain imports, so that no test module doubles as a pytest plugin).
"""

from __future__ import annotations

from pathlib import Path

from registry import Registry
from registry.score_store import refresh_derived_scores

SCORING_SQL = Path(__file__).parent / "data" / "scoring_registry.sql"


def fill_scoring_registry(reg: Registry) -> Registry:
    """Insert patients A, B, C (see the SQL file) and derive their scores, in one transaction."""
    with reg.transaction() as con:
        con.execute(SCORING_SQL.read_text(encoding="utf-8"))
        refresh_derived_scores(con)
    return reg
