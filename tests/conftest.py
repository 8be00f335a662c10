"""Shared fixtures: real DuckDB files in temporary folders, never mocks."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

# Tests never read the developer's registry or key.
for _var in ("NETPET_DB", "NETPET_KEY", "NETPET_KEY_FILE"):
    os.environ.pop(_var, None)


@pytest.fixture
def registry_path(tmp_path: Path) -> Path:
    """A path for a new registry file in a fresh temporary folder."""
    return tmp_path / "registry.duckdb"


@pytest.fixture
def registry(registry_path: Path):
    """A new, empty, migrated registry on a real DuckDB file."""
    from registry import Registry

    reg = Registry.create(registry_path)
    yield reg
    reg.close()
