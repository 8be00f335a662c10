"""A throwaway PostgreSQL server for the tests: initdb into a temporary folder, loopback only.

By default it trusts every login; `PostgresServer(bindir, password=...)` makes TCP logins prove a password
(scram-sha-256) while the test's own psql, over the server's Unix socket, is still trusted.

Debian's `postgresql` package provides the binaries (.ci/run installs it). PostgreSQL refuses to run as
root, so as root the server runs as the `postgres` system user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def server_binaries() -> Path | None:
    """Return the folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A PostgreSQL server started in a temporary folder and stopped (and deleted) by `stop`."""

    def __init__(self, bindir: Path, *, password: str | None = None) -> None:
        self.bindir = bindir
        self.password = password
        self.folder = Path(tempfile.mkdtemp(prefix="netpet-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres")
        self._run([str(bindir / "initdb"), "-D", str(self.data), *self._auth(), "-U", "postgres", "-E", "UTF8"])
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run([str(bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                   "-w", "start"])
        self._count = 0
        self._template: str | None = None

    def _auth(self) -> list[str]:
        """Return initdb's authentication options: trust everyone, or a password over TCP."""
        if self.password is None:
            return ["-A", "trust"]
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self.as_root:
            shutil.chown(pwfile, "postgres")
        return ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]

    def _run(self, argv: list[str], *, client: bool = False) -> None:
        if self.as_root and not client:  # server programs refuse root; clients (createdb) connect as postgres
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, cwd=self.folder)

    def _client_host(self) -> str:
        """Where the test's own clients connect: the trusted Unix socket when TCP wants a password."""
        return "127.0.0.1" if self.password is None else str(self.folder)

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, *, template: str | None = None) -> str:
        """Create a database (empty, or a copy of `template`) and return its URL."""
        self._count += 1
        name = f"registry_{self._count}"
        copy = ["-T", template] if template else []
        self._run([str(self.bindir / "createdb"), "-h", self._client_host(), "-p", str(self.port), "-U", "postgres",
                   *copy, name], client=True)
        return self.url(name)

    def copy_database(self, template: str) -> str:
        """Return the URL of a new database copied from the database named `template` (no one may be connected)."""
        return self.new_database(template=template)

    def migrated_database(self) -> str:
        """Return the URL of a new database holding a freshly migrated, empty registry.

        Migrating over the network costs seconds, so the first call migrates a template database and every
        call copies it (PostgreSQL's CREATE DATABASE ... TEMPLATE).
        """
        from netpet.registry import Registry

        if self._template is None:
            url = self.new_database()
            Registry.create(url).close()
            self._template = url.rsplit("/", 1)[1]
        return self.copy_database(self._template)

    def psql(self, dbname: str, *args: str) -> str:
        """Run psql as the superuser on database `dbname` with `args` (`-c SQL` or `-f FILE`); return its output."""
        argv = [str(self.bindir / "psql"), "-h", self._client_host(), "-p", str(self.port), "-U", "postgres",
                "-d", dbname, "-v", "ON_ERROR_STOP=1", "-q", *args]
        return subprocess.run(argv, check=True, capture_output=True, text=True, cwd=self.folder).stdout

    def stop(self) -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)
