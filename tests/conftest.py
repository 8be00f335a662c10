"""Shared fixtures: real DuckDB files and a real PostgreSQL server, never mocks.

`registry_url` and `registry` run a test once per backend: the embedded DuckDB file, and a fresh database
on a throwaway PostgreSQL server. The PostgreSQL case is skipped, with its reason shown, only where no
server binary exists on a developer's machine; under CI a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A PostgreSQL server for the whole test session, on 127.0.0.1 only, stopped at the end."""
    from tests.pgserver import PostgresServer, server_binaries

    bindir = server_binaries()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the PostgreSQL backend, but no PostgreSQL server binary is installed")
        pytest.skip("no PostgreSQL server binary (apt-get install postgresql) on this machine")
    server = PostgresServer(bindir)
    yield server
    server.stop()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new registry goes: a DuckDB file path, or a fresh PostgreSQL database URL."""
    if request.param == "duckdb":
        return str(tmp_path / "registry.duckdb")
    server = request.getfixturevalue("postgres_server")
    return str(server.new_database())  # type: ignore[attr-defined]


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, tmp_path: Path):
    """A new, empty, migrated registry on each backend."""
    from registry import Registry

    if request.param == "duckdb":
        reg = Registry.create(tmp_path / "registry.duckdb")
    else:
        reg = Registry.open(request.getfixturevalue("postgres_server").migrated_database())
    yield reg
    reg.close()


@pytest.fixture(scope="session")
def demo_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo registry (1,000 patients, seed 42), built once through the real importer.

    Read it with `Registry.open(path, read_only=True)`; copy it (`shutil.copy`) before writing to it.
    """
    from registry.demo import build_demo_registry

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.duckdb"
    build_demo_registry(path, folder / "data")
    return path
