"""Shared fixtures: real DuckDB files and a real PostgreSQL server, never mocks.

`registry_url`, `registry`, `backend` and `registries` run a test once per backend: the embedded DuckDB
file, and a fresh database on a throwaway PostgreSQL server. `registries` also copies prepared registries
that are built once per session (a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE). The
PostgreSQL case is skipped, with its reason shown, only where no server binary exists on a developer's
machine; under CI a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw new examples on every local run (that is how they find bugs), and replay a fixed set
# under CI, so that a landing is decided by the code and not by the draw.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Tests never read the developer's registry or key.
for _var in ("NETPET_DB", "NETPET_KEY", "NETPET_KEY_FILE", "NETPET_READER_DB"):
    os.environ.pop(_var, None)


@pytest.fixture
def registry_path(tmp_path: Path) -> Path:
    """A path for a new registry file in a fresh temporary folder."""
    return tmp_path / "registry.duckdb"


#: The two backends, for `params=`: the PostgreSQL case carries the `postgres` marker.
BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


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
    from netpet.registry import Registry

    if request.param == "duckdb":
        reg = Registry.create(tmp_path / "registry.duckdb")
    else:
        reg = Registry.open(request.getfixturevalue("postgres_server").migrated_database())
    yield reg
    assert_analysis_rows_current(reg)
    reg.close()


def refresh_written_rows(reg: object) -> None:
    """Re-derive the stored analysis rows after a fixture wrote clinical rows with plain SQL.

    Fixtures insert rows directly, as data independent of the importer; every write path of the registry
    refreshes the analysis rows in its own transaction, and this is that step for them.
    """
    from netpet.registry.analysis_tables import refresh_analysis_tables

    with reg.transaction() as con:  # type: ignore[attr-defined]
        refresh_analysis_tables(con)


def assert_analysis_rows_current(reg: object) -> None:
    """Fail when a write left the stored analysis rows behind the clinical tables (the audit's check), or
    their digests behind the rows (so that the audit could not skip the full comparison).

    Run after every test that wrote through the `registry` fixture, so that each write path the tests
    exercise is shown to keep `analysis_timepoints` and `analysis_patients` current. A test that closed the
    registry itself is not checked.
    """
    import duckdb

    from netpet.registry.audit import run_check
    from netpet.registry.errors import RegistryError

    try:
        stale = run_check(reg, "analysis_tables_stale")  # type: ignore[arg-type]
        digests = reg.query_file("checks/prechecks", "analysis_tables_stale")  # type: ignore[attr-defined]
    except (RegistryError, duckdb.ConnectionException) as exc:
        if isinstance(exc, duckdb.ConnectionException) or isinstance(exc.__cause__, duckdb.ConnectionException):
            return
        raise
    assert stale.height == 0, f"stored analysis rows are stale after the test:\n{stale}"
    assert digests["may_fail"].to_list() == [False], "a write left the analysis digests behind its rows"


@pytest.fixture(scope="session")
def demo_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default demo registry (1,000 patients, seed 42), built once through the real importer.

    A DuckDB file only: its readers check the calibration of the data, not the backend (the demo command
    itself runs on both backends in test_cli_demo.py).

    Read it with `Registry.open(path, read_only=True)`; copy it (`shutil.copy`) before writing to it.
    """
    from netpet.registry.demo import build_demo_registry

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.duckdb"
    build_demo_registry(path, folder / "data")
    return path


class RegistryTemplates:
    """Registries prepared once per session on either backend, copied for each test that writes to one."""

    def __init__(self, folder: Path, request: pytest.FixtureRequest) -> None:
        self.folder = folder
        self.request = request
        self.built: dict[tuple[str, str], str] = {}

    def server(self):
        return self.request.getfixturevalue("postgres_server")

    def empty(self, backend: str, folder: Path) -> str:
        """Where `Registry.create` or `netpet init` can make a new registry: a new file path or an empty database."""
        if backend == "duckdb":
            folder.mkdir(parents=True, exist_ok=True)
            return str(folder / "registry.duckdb")
        return str(self.server().new_database())

    def copy(
        self, backend: str, folder: Path, fill: Callable[..., None] | None = None, *, name: str | None = None
    ) -> str:
        """Return a new copy of the migrated registry that `fill(reg)` prepared (built on first use).

        Templates are known by `name`, by default the fill function's qualified name.
        """
        import shutil

        key = (backend, name or (f"{fill.__module__}.{fill.__qualname__}" if fill else "empty"))
        if key not in self.built:
            self.built[key] = self._build(backend, fill)
        if backend == "postgres":
            return str(self.server().copy_database(self.built[key]))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "registry.duckdb"
        shutil.copyfile(self.built[key], target)
        return str(target)

    def _build(self, backend: str, fill: Callable[..., None] | None) -> str:
        from netpet.registry import Registry

        if backend == "postgres":
            url = self.server().migrated_database()
            location, name = url, url.rsplit("/", 1)[1]
        else:
            location = name = str(self.folder / f"template_{len(self.built)}.duckdb")
            Registry.create(location).close()
        if fill is not None:
            with Registry.open(location) as reg:
                fill(reg)
                refresh_written_rows(reg)
        return name


@pytest.fixture(scope="session")
def registry_templates(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> RegistryTemplates:
    """The session's store of prepared registries (see `RegistryTemplates`)."""
    return RegistryTemplates(tmp_path_factory.mktemp("templates"), request)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend a module's registries live on: "duckdb" (a file) or "postgres" (a database URL)."""
    return str(request.param)


class Registries:
    """A test's registries on its backend: `empty()` to create one, `copy(fill)` for a prepared copy."""

    def __init__(self, backend: str, templates: RegistryTemplates, tmp_path: Path) -> None:
        self.backend = backend
        self.templates = templates
        self.tmp_path = tmp_path
        self._count = 0

    def _folder(self) -> Path:
        self._count += 1
        return self.tmp_path / f"registry_{self._count}"

    def empty(self) -> str:
        """Where a new registry may be created (a fresh file path, or an empty PostgreSQL database URL)."""
        return self.templates.empty(self.backend, self._folder())

    def copy(self, fill: Callable[..., None] | None = None, *, name: str | None = None) -> str:
        """The location of a new migrated registry, filled by `fill(reg)` (prepared once per session)."""
        return self.templates.copy(self.backend, self._folder(), fill, name=name)

    def open(self, fill: Callable[..., None] | None = None):
        """Open a new copy (see `copy`); the caller closes it."""
        from netpet.registry import Registry

        return Registry.open(self.copy(fill))


@pytest.fixture
def registries(backend: str, registry_templates: RegistryTemplates, tmp_path: Path) -> Registries:
    """Make registries on the module's backend (see `Registries`)."""
    return Registries(backend, registry_templates, tmp_path)
