"""Passwords from libpq, not the URL: `PGPASSWORD`, a password file (`PGPASSFILE`, `~/.pgpass`) and a service
file (`PGSERVICEFILE` + `?service=`), end to end through `netpet --db postgresql://...` against a throwaway
server that demands a password (scram-sha-256). The passwords never show in any output, file or table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from netpet.registry import Registry
from netpet.registry.demo import write_demo_files
from tests.pgserver import PostgresServer, server_binaries

pytestmark = pytest.mark.postgres

ROLES = Path(__file__).resolve().parent.parent / "sql" / "postgres" / "roles.sql"
NETPET = shutil.which("netpet") or "netpet"
PASSWORDS = {"postgres": "Owner-pw-7Qz", "site_north": "Import-pw-4Kx", "ana": "Reader-pw-9Wd"}


@dataclass
class Server:
    """The password-protected server, its registry database and a folder to import."""

    server: PostgresServer
    dbname: str
    folder: Path

    def url(self, user: str) -> str:
        """The login URL of `user`: no password in it."""
        return f"postgresql://{user}@127.0.0.1:{self.server.port}/{self.dbname}"


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    bindir = server_binaries()
    if bindir is None:
        pytest.skip("no PostgreSQL server binary (apt-get install postgresql) on this machine")
    server = PostgresServer(bindir, password=PASSWORDS["postgres"])
    try:
        url = server.new_database()
        dbname = url.rsplit("/", 1)[1]
        with pytest.MonkeyPatch.context() as env:
            env.setenv("PGPASSWORD", PASSWORDS["postgres"])
            Registry.create(url).close()  # the owner migrates
        server.psql(dbname, "-f", str(ROLES))
        server.psql(dbname, "-c", f"create role site_north login password '{PASSWORDS['site_north']}' "
                                  "in role netpet_importer")
        server.psql(dbname, "-c", f"create role ana login password '{PASSWORDS['ana']}' in role netpet_analyst")
        folder = tmp_path_factory.mktemp("site")
        write_demo_files(folder, patients=30, seed=11)
        yield Server(server, dbname, folder)
    finally:
        server.stop()


def _clean_env(home: Path) -> dict[str, str]:
    """The environment without any PostgreSQL setting of the caller's, HOME pointing at `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "NETPET_"))}
    return env | {"HOME": str(home)}


def _sources(secured: Server, tmp_path: Path, source: str) -> tuple[dict[str, str], dict[str, str], str, str]:
    """Return (importer's env, reader's env, importer's URL, reader's URL) with passwords from `source`."""
    env = _clean_env(tmp_path / "home")
    (tmp_path / "home").mkdir()
    port = secured.server.port
    if source == "PGPASSWORD":
        return (env | {"PGPASSWORD": PASSWORDS["site_north"]}, env | {"PGPASSWORD": PASSWORDS["ana"]},
                secured.url("site_north"), secured.url("ana"))
    lines = "".join(f"127.0.0.1:{port}:{secured.dbname}:{u}:{PASSWORDS[u]}\n" for u in ("site_north", "ana"))
    if source in ("PGPASSFILE", "~/.pgpass"):
        passfile = tmp_path / "home" / ".pgpass" if source == "~/.pgpass" else tmp_path / "passfile"
        passfile.write_text(lines, encoding="utf-8")
        passfile.chmod(0o600)
        env |= {"PGPASSFILE": str(passfile)} if source == "PGPASSFILE" else {}
        return env, env, secured.url("site_north"), secured.url("ana")
    services = "".join(
        f"[netpet_{u}]\nhost=127.0.0.1\nport={port}\ndbname={secured.dbname}\nuser={u}\npassword={PASSWORDS[u]}\n"
        for u in ("site_north", "ana")
    )
    (tmp_path / "services.conf").write_text(services, encoding="utf-8")
    env |= {"PGSERVICEFILE": str(tmp_path / "services.conf")}
    return env, env, "postgresql://?service=netpet_site_north", "postgresql://?service=netpet_ana"


def _netpet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NETPET, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def _first_patient(folder: Path) -> str:
    return str(pl.read_parquet(folder / "patients.parquet")["patient_id"][0])


def _assert_no_password(*texts: str) -> None:
    for text in texts:
        for password in PASSWORDS.values():
            assert password not in text


@pytest.mark.parametrize("source", ["PGPASSWORD", "PGPASSFILE", "~/.pgpass", "service"])
def test_import_km_and_query_with_the_password_from_libpq(secured: Server, tmp_path: Path, source: str) -> None:
    importer_env, reader_env, importer, reader = _sources(secured, tmp_path, source)
    imported = _netpet(importer_env, "--db", importer, "import", str(secured.folder))
    assert imported.returncode == 0, imported.stderr
    km = _netpet(reader_env, "--db", reader, "km", "--by", "none")
    assert km.returncode == 0, km.stderr
    # `query` connects as the reader ($NETPET_READER_DB), not the group's --db.
    asked = _netpet(reader_env | {"NETPET_READER_DB": reader}, "--db", importer, "query",
                    "select count(*) as n from patient_survival", "--format", "csv")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.splitlines() == ["n", "30"]
    report = _netpet(reader_env, "--db", reader, "report", "--out", str(tmp_path / "report"), "--format", "png")
    assert report.returncode == 0, report.stderr
    history = _netpet(reader_env, "--db", reader, "history", "--patient", _first_patient(secured.folder))
    assert history.returncode == 0, history.stderr
    assert "insert" in history.stdout
    written = [p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "report").rglob("*") if p.is_file()]
    with Registry.open(secured.url("postgres") + f"?password={PASSWORDS['postgres']}", read_only=True) as reg:
        stored = [str(reg.query(f"select * from {t}").rows()) for t in ("import_batches", "change_log", "settings")]
    assert len(written) > 5
    _assert_no_password(*(r.stdout + r.stderr for r in (imported, km, asked, report, history)), *written, *stored)


@pytest.mark.parametrize("given", [None, "wrong-pw-Xy7"])
def test_a_missing_or_wrong_password_says_where_to_give_one_and_shows_none(
    secured: Server, tmp_path: Path, given: str | None
) -> None:
    env = _clean_env(tmp_path) | ({"PGPASSWORD": given} if given else {})
    result = _netpet(env, "--db", secured.url("ana"), "km")
    assert result.returncode == 1
    _assert_no_password(result.stdout + result.stderr)
    if given:
        assert given not in result.stdout + result.stderr
        assert 'password authentication failed for user "ana"' in result.stderr
    assert "give the password with PGPASSWORD, ~/.pgpass (PGPASSFILE) or a service file" in result.stderr
