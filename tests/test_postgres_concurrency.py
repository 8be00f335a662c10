"""Several import processes at once on one PostgreSQL registry: different sites all land; the same patient
either lands on an automatic retry (re-run whole, no duplicates) or, retries spent, fails naming the patient.

Real processes (not threads): each opens its own connection, as sites importing at the same time would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from netpet.registry import Registry
from netpet.registry.demo import write_demo_files
from tests.site_folders import TABLES, split_folder

pytestmark = pytest.mark.postgres  # and each test is slow: every import is a real process (~2 s to start)

REPO = Path(__file__).resolve().parent.parent
LOCK_WAITS = Path(__file__).parent / "data" / "postgres_lock_waits.sql"

#: Import a folder (`update` among the arguments: with update=True); with `hold`, pause inside the write
#: transaction (after the first table) and say "holding" until stdin closes. Says "retry N" before each
#: automatic retry, then "ok" or the error's text.
IMPORTER = textwrap.dedent(
    """
    import sys
    from netpet.registry import Registry, RegistryError
    from netpet.registry.ingest import import_folder

    held = []

    def progress(step, done, total):
        if step == "retry":
            print(f"retry {done}", flush=True)
        if step == "write" and done == 1 and "hold" in sys.argv[3:] and not held:
            held.append(True)
            print("holding", flush=True)
            sys.stdin.read()

    try:
        with Registry.open(sys.argv[1]) as reg:
            import_folder(reg, sys.argv[2], progress=progress, update="update" in sys.argv[3:])
        print("ok", flush=True)
    except RegistryError as exc:
        print(f"error: {exc}", flush=True)
    """
)


def _start(url: str, folder: Path, *flags: str, attempts: int | None = None) -> subprocess.Popen[str]:
    """Start an import process; `flags` among "hold" and "update"; `attempts` sets $NETPET_WRITE_ATTEMPTS."""
    env = {**os.environ, **({"NETPET_WRITE_ATTEMPTS": str(attempts)} if attempts else {})}
    argv = [sys.executable, "-c", IMPORTER, url, str(folder), *flags]
    return subprocess.Popen(argv, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def _finish(proc: subprocess.Popen[str]) -> list[str]:
    """Let the process end (closing its stdin releases a holder) and return what it said, line by line."""
    assert proc.stdin is not None
    assert proc.stdout is not None
    if not proc.stdin.closed:
        proc.stdin.close()
    with proc.stdout:
        out = proc.stdout.read()
    assert proc.wait(timeout=120) == 0, out
    return out.strip().splitlines()


def _wait_until_blocked(url: str) -> None:
    """Return once some PostgreSQL session waits for a lock (the second writer, on the first's rows)."""
    with Registry.open(url, read_only=True) as reg:
        deadline = time.monotonic() + 60
        while reg.query(LOCK_WAITS.read_text(encoding="utf-8"))["waiting"][0] == 0:
            assert time.monotonic() < deadline, "the second import never waited for the first"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_files(folder, patients=30, seed=7)
    return folder


# Not slow-marked, so that CI runs it: disjoint imports used to conflict on the analysis rows (issue 19).
def test_concurrent_imports_of_different_sites_all_land(postgres_server, demo_folder, tmp_path):
    url = postgres_server.migrated_database()
    folders = split_folder(demo_folder, tmp_path / "sites")
    assert len(folders) == 3  # the demo's three sites
    procs = [_start(url, folder) for folder in folders]
    assert [_finish(p) for p in procs] == [["ok"]] * 3
    expected = {t: pl.read_parquet(demo_folder / f"{t}.parquet").height for t in TABLES}
    with Registry.open(url, read_only=True) as reg:
        counts = reg.row_counts()
        assert reg.query("select count(*) as n from import_batches")["n"][0] == 3
    assert {t: counts[t] for t in TABLES} == expected


def _race(url: str, first_folder: Path, second_folder: Path, *flags: str, attempts: int | None = None) -> list[str]:
    """Run two imports into a race the second loses: the first writes its first table and holds its
    transaction open, the second starts and waits on the first's rows, the first commits. Return what the
    second said."""
    first = _start(url, first_folder, "hold", *flags)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "holding"  # its patients are written, not yet committed
    second = _start(url, second_folder, *flags, attempts=attempts)
    _wait_until_blocked(url)
    assert _finish(first) == ["ok"]
    return _finish(second)


def _batches(url: str) -> int:
    with Registry.open(url, read_only=True) as reg:
        return int(reg.query("select count(*) as n from import_batches")["n"][0])


def test_a_second_import_of_the_same_patients_is_retried_whole_and_duplicates_nothing(
    postgres_server, demo_folder, tmp_path
):
    url = postgres_server.migrated_database()
    site = split_folder(demo_folder, tmp_path / "sites")[0]
    assert _race(url, site, site) == ["retry 2", "ok"]  # lost on a unique key, re-run against the committed rows
    assert _batches(url) == 1  # the re-run found everything there already: no second batch
    with Registry.open(url, read_only=True) as reg:
        assert reg.row_counts()["patients"] == pl.read_parquet(site / "patients.parquet").height


@pytest.mark.slow
def test_with_retries_spent_the_second_writer_fails_naming_the_patient_and_writes_nothing(
    postgres_server, demo_folder, tmp_path
):
    url = postgres_server.migrated_database()
    site = split_folder(demo_folder, tmp_path / "sites")[0]
    message = _race(url, site, site, attempts=1)[-1]
    patients = pl.read_parquet(site / "patients.parquet")["patient_id"].to_list()
    assert message.startswith("error: conflicting change to patient ")
    assert message.split()[5].rstrip(":") in patients
    assert message.endswith("nothing was written, retry the import")
    assert _batches(url) == 1


def _changed_patients(site: Path, out: Path, ki67: float) -> Path:
    """Write a folder holding only `site`'s patients, every Ki-67 set to `ki67` (an update of each)."""
    out.mkdir()
    patients = pl.read_parquet(site / "patients.parquet")
    patients.with_columns(pl.lit(ki67).cast(patients.schema["ki67_percent"]).alias("ki67_percent")).write_parquet(
        out / "patients.parquet"
    )
    return out


@pytest.fixture
def updated_registry(postgres_server, demo_folder, tmp_path) -> tuple[str, Path, Path]:
    """A registry holding one site, and two folders updating every one of its patients differently."""
    url = postgres_server.migrated_database()
    site = split_folder(demo_folder, tmp_path / "sites")[0]
    assert _finish(_start(url, site)) == ["ok"]
    return url, _changed_patients(site, tmp_path / "a", 11.0), _changed_patients(site, tmp_path / "b", 22.0)


def test_a_serialization_failure_is_retried_and_the_update_lands(updated_registry):
    url, first, second = updated_registry
    # The second update's transaction began before the first committed its change to the same rows: at
    # REPEATABLE READ PostgreSQL refuses it ("could not serialize access"); the retry re-validates and updates.
    assert _race(url, first, second, "update") == ["retry 2", "ok"]
    with Registry.open(url, read_only=True) as reg:
        assert reg.query("select distinct ki67_percent as k from patients")["k"].to_list() == [22.0]
    assert _batches(url) == 3


def test_a_serialization_failure_with_retries_spent_names_the_patients(updated_registry):
    url, first, second = updated_registry
    message = _race(url, first, second, "update", attempts=1)[-1]
    patients = sorted(pl.read_parquet(first / "patients.parquet")["patient_id"].to_list())
    assert message.startswith(f"error: conflicting change to patients {', '.join(patients[:5])} (and ")
    assert message.endswith("nothing was written, retry the import")
    with Registry.open(url, read_only=True) as reg:
        assert reg.query("select distinct ki67_percent as k from patients")["k"].to_list() == [11.0]
    assert _batches(url) == 2
