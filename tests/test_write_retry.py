"""A PostgreSQL write that loses a race is run whole again, a bounded number of times; nothing else is retried."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from types import SimpleNamespace

import duckdb
import pytest

from netpet.registry import Registry, RegistryError, WriteConflictError
from netpet.registry.write_retry import PAUSE, retrying

RACE = "TransactionContext Error: could not serialize access due to concurrent update"


class Work:
    """A write failing with `errors` in turn, then returning "done"; counts its calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.calls = list(errors), 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def _retry(work: Work, *, postgres: bool = True) -> tuple[str, list[float]]:
    pauses: list[float] = []
    result = retrying(SimpleNamespace(is_postgres=postgres), work, what="import", sleep=pauses.append)
    return result, pauses


def test_a_lost_race_is_run_again_after_a_growing_jittered_pause() -> None:
    work = Work(duckdb.Error(RACE), duckdb.Error("deadlock detected"))
    result, pauses = _retry(work)
    assert (result, work.calls) == ("done", 3)
    assert PAUSE * 0.5 <= pauses[0] < PAUSE * 1.5
    assert PAUSE * 1.0 <= pauses[1] < PAUSE * 3.0


def test_after_the_last_attempt_the_conflict_says_how_often_it_was_tried_and_names_the_patient() -> None:
    work = Work(*[WriteConflictError("patient P7")] * 3)
    with pytest.raises(WriteConflictError, match=r"^conflicting change to patient P7: .* \(tried 3 times\); "
                                                 r"nothing was written, retry the import$"):
        _retry(work)
    assert work.calls == 3


@pytest.mark.parametrize("error", [
    duckdb.Error("permission denied for table patients"),
    RegistryError("import refused: 1 problem(s)"),
    duckdb.Error("Constraint Error: NOT NULL constraint failed"),
])
def test_any_other_error_is_raised_at_once(error: Exception) -> None:
    work = Work(error)
    with pytest.raises(type(error)):
        _retry(work)
    assert work.calls == 1


def test_a_registry_file_is_never_retried() -> None:
    work = Work(duckdb.Error(RACE))
    with pytest.raises(duckdb.Error):
        _retry(work, postgres=False)
    assert work.calls == 1


def test_the_number_of_attempts_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPET_WRITE_ATTEMPTS", "1")
    work = Work(duckdb.Error(RACE))
    with pytest.raises(WriteConflictError, match=r"^conflicting change: another writer changed the same rows"):
        _retry(work)
    assert work.calls == 1
    monkeypatch.setenv("NETPET_WRITE_ATTEMPTS", "many")
    with pytest.raises(RegistryError, match=r"NETPET_WRITE_ATTEMPTS must be a whole number from 1 to 20, not 'many'"):
        _retry(Work())


def _wait_for(postgres_server, dbname: str, sql: str) -> None:
    deadline = time.monotonic() + 60
    while postgres_server.psql(dbname, "-tA", "-c", sql).strip() == "0":
        assert time.monotonic() < deadline, sql
        time.sleep(0.1)


@pytest.mark.postgres
def test_a_setting_change_that_loses_a_race_is_retried(postgres_server, caplog: pytest.LogCaptureFixture) -> None:
    url = postgres_server.migrated_database()
    dbname = url.rsplit("/", 1)[1]
    with Registry.open(url) as reg:
        reg.set_setting("min_cell_count", "5")
        # Another connection changes the setting's row and holds its transaction open.
        holder = subprocess.Popen(
            [str(postgres_server.bindir / "psql"), "-h", str(postgres_server.folder), "-p", str(postgres_server.port),
             "-U", "postgres", "-d", dbname, "-q"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        assert holder.stdin is not None
        holder.stdin.write("begin;\nupdate settings set value = '6' where name = 'min_cell_count';\n")
        holder.stdin.flush()
        _wait_for(postgres_server, dbname, "select count(*) from pg_stat_activity where state = 'idle in transaction'")
        writer = threading.Thread(target=reg.set_setting, args=("min_cell_count", "7"))
        with caplog.at_level(logging.WARNING, logger="netpet.registry"):
            writer.start()
            # The change waits on the held row; once the holder commits, PostgreSQL refuses it (REPEATABLE READ).
            _wait_for(postgres_server, dbname, "select count(*) from pg_locks where not granted")
            holder.stdin.write("commit;\n")
            holder.stdin.close()
            writer.join(timeout=60)
        assert holder.wait(timeout=60) == 0
        assert not writer.is_alive()
        assert reg.setting("min_cell_count") == "7"
    assert [r.getMessage() for r in caplog.records] == [
        "PostgreSQL refused the setting change: another writer changed the same rows; attempt 2 of 3"
    ]
