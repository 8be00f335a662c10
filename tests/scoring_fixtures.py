"""Fixtures for the scoring, lesion and pairing tests: a small registry filled from tests/data/scoring_registry.sql.

The importer is another module's business, so the registry is filled with plain SQL inserts and its
scores derived with `refresh_derived_scores`, as the importer will do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from registry import Registry
from registry.score_store import refresh_derived_scores

SCORING_SQL = Path(__file__).parent / "data" / "scoring_registry.sql"


def fill_scoring_registry(reg: Registry) -> Registry:
    """Insert patients A, B, C (see the SQL file) and derive their scores, in one transaction."""
    with reg.transaction() as con:
        con.execute(SCORING_SQL.read_text(encoding="utf-8"))
        refresh_derived_scores(con)
    return reg


@pytest.fixture
def scored_registry(registry: Registry) -> Registry:
    """The shared empty `registry`, filled with patients A, B, C and their derived scores."""
    return fill_scoring_registry(registry)


@pytest.fixture
def scored_registry_path(registry_path: Path) -> Path:
    """A closed registry file holding patients A, B, C, for commands that open it themselves."""
    with Registry.create(registry_path) as reg:
        fill_scoring_registry(reg)
    return registry_path
