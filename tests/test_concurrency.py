"""A second writer gets a clear 'in use' error; readers share the file while no one writes.

DuckDB files only: these test the file lock; PostgreSQL's concurrency is in test_postgres_concurrency.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry, RegistryInUseError

REPO = Path(__file__).resolve().parent.parent


def _hold(path: Path, *, read_only: bool) -> subprocess.Popen[str]:
    """Start a real process that opens the registry and waits until its stdin closes."""
    code = textwrap.dedent(
        f"""
        import sys
        from netpet.registry import Registry
        reg = Registry.open({str(path)!r}, read_only={read_only})
        print("open", flush=True)
        sys.stdin.read()
        reg.close()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "open"
    return proc


def _release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    proc.stdout.close()


def test_second_writer_gets_in_use_error(registry_path: Path) -> None:
    Registry.create(registry_path).close()
    writer = _hold(registry_path, read_only=False)
    try:
        with pytest.raises(RegistryInUseError, match="in use by another process"):
            Registry.open(registry_path)
        result = CliRunner().invoke(cli, ["--db", str(registry_path), "migrate"])
        assert result.exit_code == 1
        assert "in use by another process" in result.output
        assert "Traceback" not in result.output
    finally:
        _release(writer)
    Registry.open(registry_path).close()  # free again once the writer is gone


def test_readers_share_the_registry(registry_path: Path) -> None:
    Registry.create(registry_path).close()
    reader = _hold(registry_path, read_only=True)
    try:
        with Registry.open(registry_path, read_only=True) as reg:
            assert reg.row_counts()["patients"] == 0
        result = CliRunner().invoke(cli, ["--db", str(registry_path), "views", "--format", "csv"])
        assert result.exit_code == 0, result.output
        assert "patient_survival" in result.output
    finally:
        _release(reader)
