"""A SIGKILLed import leaves the registry exactly as before the import or exactly as after it, never between.

Each case copies a registry holding one small import, starts a real `python -m netpet import` of a larger
folder (300 demo patients) in a subprocess, kills it with SIGKILL after a delay drawn from a spread that
covers the whole run (start-up, reading, validation, insert, commit, checkpoint on close), then opens the
registry as the next command would and compares a digest of every table with the two allowed states.
DuckDB's write-ahead log makes a commit atomic; these tests are the proof for this importer. A kill
rarely lands inside the few milliseconds the commit spends writing the log, so the torn-log test cuts a
committed import's log at many byte offsets (what a crash mid-write leaves) and opens each.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from netpet.registry import Registry
from netpet.registry.ingest import import_folder
from tests.reliability_fixtures import Digest, demo_folder, registry_digest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CrashSetup:
    """A registry with one import, a second folder to import into it, and the digests of both states."""

    base: Path
    folder: Path
    before: Digest
    after: Digest
    seconds: float  # how long the uninterrupted import command takes


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETPET_")}
    env["NETPET_USER"] = "crash-test"  # recorded in import_batches and change_log: the same in every run
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _start_import(db: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "netpet", "--db", str(db), "import", str(folder)],
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _fresh_copy(setup: CrashSetup, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)
    shutil.copy(setup.base, path)
    return path


@pytest.fixture(scope="module")
def crash_setup(tmp_path_factory: pytest.TempPathFactory) -> CrashSetup:
    root = tmp_path_factory.mktemp("crash")
    first = demo_folder(root / "first", patients=20, seed=1, prefix="A")
    second = demo_folder(root / "second", patients=300, seed=7, prefix="B")
    base = root / "base.duckdb"
    with Registry.create(base) as reg:
        import_folder(reg, first, operator="crash-test")
    before = registry_digest(_fresh_copy_of(base, root / "before.duckdb"))
    done = _fresh_copy_of(base, root / "after.duckdb")
    started = time.monotonic()
    finished = _start_import(done, second).wait(timeout=120)
    seconds = time.monotonic() - started
    assert finished == 0
    after = registry_digest(done)
    assert after != before
    assert after["patients"][0] == before["patients"][0] + 300
    return CrashSetup(base, second, before, after, seconds)


def _fresh_copy_of(base: Path, path: Path) -> Path:
    shutil.copy(base, path)
    return path


@dataclass(frozen=True)
class Kill:
    """What one kill found: when it was sent, whether the process was still running, the WAL left, the state."""

    delay: float
    killed: bool
    wal_bytes: int
    state: str  # "before" or "after"


def _kill_import_after(setup: CrashSetup, db: Path, delay: float) -> Kill:
    process = _start_import(db, setup.folder)
    try:
        process.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed = True
    wal = Path(f"{db}.wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    found = registry_digest(db)
    state = "before" if found == setup.before else "after" if found == setup.after else "between"
    if state == "between":
        changed = sorted(t for t in found if found[t] not in (setup.before.get(t), setup.after.get(t)))
        pytest.fail(f"kill after {delay:.3f}s left the registry between states; tables: {changed}")
    return Kill(delay, killed, wal_bytes, state)


def _delays(setup: CrashSetup, count: int, seed: int) -> list[float]:
    """Spread `count` delays over the whole command (and a little past it), jittered, denser near the end."""
    rng = random.Random(seed)
    span = setup.seconds * 1.05
    even = [span * (i + rng.random()) / count for i in range(count)]
    # A quarter of the kills land in the last fifth of the run: insert, commit and checkpoint on close.
    late = [setup.seconds * rng.uniform(0.8, 1.05) for _ in range(count // 4)]
    return sorted(even + late)


def _run_kills(setup: CrashSetup, tmp_path: Path, delays: list[float]) -> list[Kill]:
    return [_kill_import_after(setup, _fresh_copy(setup, tmp_path / f"k{i}.duckdb"), d) for i, d in enumerate(delays)]


def _tally(kills: list[Kill]) -> Counter[str]:
    return Counter(f"{k.state}{'' if k.killed else ' (finished)'}" for k in kills)


def test_killed_import_leaves_registry_before_or_after_and_a_rerun_completes_it(
    crash_setup: CrashSetup, tmp_path: Path
) -> None:
    kills = _run_kills(crash_setup, tmp_path, _delays(crash_setup, 8, seed=1))
    tally = _tally(kills)
    assert tally["before"] >= 1, tally  # some kills interrupted the import and it left no trace
    assert sum(k.killed for k in kills) >= len(kills) // 2, tally
    interrupted = tmp_path / f"k{next(i for i, k in enumerate(kills) if k.state == 'before')}.duckdb"
    assert _start_import(interrupted, crash_setup.folder).wait(timeout=120) == 0
    assert registry_digest(interrupted) == crash_setup.after


@pytest.mark.slow
def test_many_kills_across_the_import_never_leave_a_partial_import(
    crash_setup: CrashSetup, tmp_path: Path
) -> None:
    kills = _run_kills(crash_setup, tmp_path, _delays(crash_setup, 48, seed=2))
    tally = _tally(kills)
    # The spread of kills over the phases depends on the machine's load; what must hold is that none left the
    # registry between states (checked in every kill) and that both outcomes were reached.
    assert tally["before"] >= 1, tally
    assert tally["after"] + tally["after (finished)"] >= 1, tally


def _torn_log_cases(setup: CrashSetup, tmp_path: Path, count: int, seed: int) -> Counter[str]:
    """Import in-process without checkpointing, freeze file + log, and open copies with the log cut short."""
    live = _fresh_copy(setup, tmp_path / "live.duckdb")
    with Registry.open(live) as reg:
        reg.con.execute("set checkpoint_threshold = '10GB'")  # keep the import in the log
        import_folder(reg, setup.folder, operator="crash-test")
        frozen, log = live.read_bytes(), Path(f"{live}.wal").read_bytes()
    rng = random.Random(seed)
    cuts = sorted({0, len(log) - 1, len(log), *(rng.randrange(len(log)) for _ in range(count))})
    states: Counter[str] = Counter()
    for i, cut in enumerate(cuts):
        db = tmp_path / f"torn{i}.duckdb"
        db.write_bytes(frozen)
        Path(f"{db}.wal").write_bytes(log[:cut])
        found = registry_digest(db)
        state = "before" if found == setup.before else "after" if found == setup.after else "between"
        assert state != "between", f"log cut at byte {cut} of {len(log)}"
        assert (state == "after") is (cut == len(log)), f"log cut at byte {cut} of {len(log)}"
        states[state] += 1
    return states


def test_a_torn_log_replays_all_of_the_import_or_none(crash_setup: CrashSetup, tmp_path: Path) -> None:
    states = _torn_log_cases(crash_setup, tmp_path, 5, seed=3)
    assert states["after"] == 1
    assert states["before"] >= 5


@pytest.mark.slow
def test_a_log_torn_anywhere_replays_all_of_the_import_or_none(crash_setup: CrashSetup, tmp_path: Path) -> None:
    states = _torn_log_cases(crash_setup, tmp_path, 60, seed=4)
    assert states["after"] == 1
