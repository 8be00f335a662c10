"""Fixtures for the scoring, lesion and pairing tests: a small registry filled from tests/data/scoring_registry.sql."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry import Registry
from registry.score_store import refresh_derived_scores

SCORING_SQL = Path(__file__).parent / "data" / "scoring_registry.sql"


@pytest.fixture
def scored_registry(registry: Registry) -> Registry:
    """The shared `registry` filled with patients A, B, C (see the SQL file) and its scores derived."""
    with registry.transaction() as con:
        con.execute(SCORING_SQL.read_text(encoding="utf-8"))
        refresh_derived_scores(con)
    return registry
