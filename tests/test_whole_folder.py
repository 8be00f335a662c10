"""Every command that writes a folder writes it whole or not at all (issue 15, defect 6).

`netpet.registry.whole_folder` on its own, then each command (report, audit, export, federate pool, backup) on
the demo registry with a write that fails half-way (the disk "fills" at the Nth file): no folder appears,
or an existing folder keeps exactly the files it had, and no staging folder is left behind.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import RegistryError
from netpet.registry.whole_folder import whole_folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.endswith(".partial")]


def test_a_new_folder_appears_with_every_file(tmp_path: Path) -> None:
    with whole_folder(tmp_path / "out", last="manifest.json") as staging:
        (staging / "a.csv").write_text("a\n", encoding="utf-8")
        (staging / "manifest.json").write_text("{}", encoding="utf-8")
        assert not (tmp_path / "out").exists()
    assert snapshot(tmp_path / "out") == {"a.csv": b"a\n", "manifest.json": b"{}"}
    assert leftovers(tmp_path) == []


def test_an_existing_folder_gets_the_new_files_and_keeps_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old\n", encoding="utf-8")
    (out / "my notes.txt").write_text("mine\n", encoding="utf-8")
    with whole_folder(out) as staging:
        (staging / "a.csv").write_text("new\n", encoding="utf-8")
    assert snapshot(out) == {"a.csv": b"new\n", "my notes.txt": b"mine\n"}
    assert leftovers(tmp_path) == []


def write_then_fail(target: Path) -> None:
    with whole_folder(target) as staging:
        (staging / "a.csv").write_text("new\n", encoding="utf-8")
        raise OSError(28, "No space left on device")


def test_a_failure_leaves_no_folder_and_an_existing_one_unchanged(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="No space"):
        write_then_fail(tmp_path / "new")
    assert not (tmp_path / "new").exists()
    old = tmp_path / "old"
    old.mkdir()
    (old / "a.csv").write_text("old\n", encoding="utf-8")
    with pytest.raises(OSError, match="No space"):
        write_then_fail(old)
    assert snapshot(old) == {"a.csv": b"old\n"}
    assert leftovers(tmp_path) == []


def test_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x", encoding="utf-8")
    with pytest.raises(RegistryError, match="not a folder"), whole_folder(tmp_path / "out"):
        pass


def disk_full_at(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, call: int) -> None:
    """Make the `call`-th call of owner.name raise OSError (ENOSPC), as a full disk would."""
    original: Callable = getattr(owner, name)
    calls = {"n": 0}

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] >= call:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)


@pytest.fixture
def demo_copy(demo_registry: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_registry, path)
    return path


COMMANDS = {
    "report": (["report", "--format", "png", "--out"], "write_csv", 3),
    "audit": (["audit", "--as-of", "2025-12-31", "--out"], "write_csv", 2),
    "export": (["export", "--format", "csv", "--out"], "write_csv", 2),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_command_failing_half_way_leaves_no_half_written_folder(
    command: str, existing: bool, demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args, method, call = COMMANDS[command]
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "earlier.csv").write_text("earlier\n", encoding="utf-8")
    before = snapshot(out)
    disk_full_at(monkeypatch, pl.DataFrame, method, call)
    result = CliRunner().invoke(cli, ["--db", str(demo_copy), *args, str(out)])
    assert result.exit_code != 0
    assert snapshot(out) == before
    assert out.exists() == existing
    assert leftovers(tmp_path) == []


def test_federate_pool_failing_half_way_writes_no_folder(demo_copy: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "north.json"
    runner = CliRunner()
    made = runner.invoke(cli, ["--db", str(demo_copy), "federate", "summarise", "--out", str(site),
                               "--site-label", "north"])
    assert made.exit_code == 0, made.output
    disk_full_at(monkeypatch, pl.DataFrame, "write_csv", 2)
    result = runner.invoke(cli, ["federate", "pool", str(site), "--out", str(tmp_path / "pooled")])
    assert result.exit_code != 0
    assert not (tmp_path / "pooled").exists()
    assert leftovers(tmp_path) == []


def test_backup_failing_after_the_copy_writes_no_folder(demo_copy: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import netpet.registry.backup

    disk_full_at(monkeypatch, netpet.registry.backup, "file_sha256", 1)
    result = CliRunner().invoke(cli, ["--db", str(demo_copy), "backup", str(tmp_path / "backup")])
    assert result.exit_code != 0
    assert not (tmp_path / "backup").exists()
    assert leftovers(tmp_path) == []
