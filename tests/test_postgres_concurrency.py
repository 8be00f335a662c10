"""Several import processes at once on one PostgreSQL registry: different sites all land, the same patient
conflicts cleanly.

Real processes (not threads): each opens its own connection, as sites importing at the same time would.
"""

from __future__ import annotations

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

#: Import a folder; with a third argument, pause inside the write transaction (after the first table) and
#: say "holding" until stdin closes. Prints "ok" or the error's text.
IMPORTER = textwrap.dedent(
    """
    import sys
    from netpet.registry import Registry, RegistryError
    from netpet.registry.ingest import import_folder

    def hold(step, done, total):
        if step == "write" and done == 1 and len(sys.argv) > 3:
            print("holding", flush=True)
            sys.stdin.read()

    try:
        with Registry.open(sys.argv[1]) as reg:
            import_folder(reg, sys.argv[2], progress=hold)
        print("ok", flush=True)
    except RegistryError as exc:
        print(f"error: {exc}", flush=True)
    """
)


def _start(url: str, folder: Path, *, hold: bool = False) -> subprocess.Popen[str]:
    argv = [sys.executable, "-c", IMPORTER, url, str(folder), *(["hold"] if hold else [])]
    return subprocess.Popen(argv, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str]) -> str:
    """Let the process end (closing its stdin releases a holder) and return its last line."""
    assert proc.stdin is not None
    assert proc.stdout is not None
    if not proc.stdin.closed:
        proc.stdin.close()
    with proc.stdout:
        out = proc.stdout.read()
    assert proc.wait(timeout=120) == 0, out
    return out.strip().splitlines()[-1]


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
    assert [_finish(p) for p in procs] == ["ok"] * 3
    expected = {t: pl.read_parquet(demo_folder / f"{t}.parquet").height for t in TABLES}
    with Registry.open(url, read_only=True) as reg:
        counts = reg.row_counts()
        assert reg.query("select count(*) as n from import_batches")["n"][0] == 3
    assert {t: counts[t] for t in TABLES} == expected


@pytest.mark.slow
def test_second_writer_of_the_same_patient_fails_with_a_conflict_and_writes_nothing(
    postgres_server, demo_folder, tmp_path
):
    url = postgres_server.migrated_database()
    site = split_folder(demo_folder, tmp_path / "sites")[0]
    first = _start(url, site, hold=True)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "holding"  # its patients are written, not yet committed
    second = _start(url, site)
    with Registry.open(url, read_only=True) as reg:
        deadline = time.monotonic() + 60
        while reg.query(LOCK_WAITS.read_text(encoding="utf-8"))["waiting"][0] == 0:
            assert time.monotonic() < deadline, "the second import never waited for the first"
            time.sleep(0.1)
    assert _finish(first) == "ok"
    message = _finish(second)
    patients = pl.read_parquet(site / "patients.parquet")["patient_id"].to_list()
    assert message.startswith("error: conflicting change to patient ")
    assert message.split()[5].rstrip(":") in patients
    assert message.endswith("nothing was written, retry the import")
    with Registry.open(url, read_only=True) as reg:
        assert reg.query("select count(*) as n from import_batches")["n"][0] == 1
        assert reg.row_counts()["patients"] == len(patients)
    retry = _start(url, site)
    assert _finish(retry) == "ok"  # the retry sees the committed rows: nothing new to write
