"""An encrypted registry's file, its backups and the exports made from it are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from tests.encryption_fixtures import fill_encrypted

KEY = "correct horse battery staple"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_encrypted_registry_and_its_exports_are_owner_only(
    registry_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETPET_KEY", KEY)
    old = os.umask(0o022)  # the usual umask: files readable by everyone
    try:
        result = CliRunner().invoke(cli, ["--db", str(registry_path), "init", "--encrypt"])
        assert result.exit_code == 0, result.output
        assert mode(registry_path) == 0o600
        fill_encrypted(registry_path, KEY)
        out = tmp_path / "export"
        exported = CliRunner().invoke(cli, ["--db", str(registry_path), "export", "--format", "csv", "--out", str(out)])
        backed_up = CliRunner().invoke(cli, ["--db", str(registry_path), "backup", str(tmp_path / "bk")])
    finally:
        os.umask(old)
    assert exported.exit_code == 0, exported.output
    files = sorted(out.iterdir())
    assert files
    assert all(mode(f) == 0o600 for f in files), {f.name: oct(mode(f)) for f in files}
    assert "these files are not" in exported.stderr
    assert backed_up.exit_code == 0, backed_up.output
    assert mode(tmp_path / "bk" / registry_path.name) == 0o600


def test_a_plain_registry_follows_the_umask(registry_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(registry_path), "init"])
    assert result.exit_code == 0, result.output
    exported = CliRunner().invoke(cli, ["--db", str(registry_path), "export", "--format", "csv",
                                        "--out", str(registry_path.parent / "e")])
    assert exported.exit_code == 0, exported.output
    assert "not" not in exported.stderr
