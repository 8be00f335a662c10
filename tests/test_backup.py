"""Backups are consistent copies with a manifest; restore verifies before it replaces anything.

DuckDB files only: backup and restore copy registry files byte for byte (PostgreSQL is refused: pg_dump).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry, RegistryError
from netpet.registry.backup import backup_registry, restore_registry


def _add_patient(path: Path, patient_id: str) -> None:
    with Registry.open(path) as reg:
        reg.query(
            "insert into patients (patient_id, diagnosis_date, primary_site) values ($p, date '2020-01-01', 'lung') "
            "returning patient_id",
            {"p": patient_id},
        )


def test_backup_then_restore_gives_the_same_rows(registry_path: Path, tmp_path: Path) -> None:
    Registry.create(registry_path).close()
    _add_patient(registry_path, "NP-001")
    manifest = backup_registry(registry_path, tmp_path / "bk")
    assert manifest["row_counts"]["patients"] == 1
    restored = tmp_path / "restored.duckdb"
    counts = restore_registry(tmp_path / "bk", restored)
    assert dict(counts.iter_rows())["patients"] == 1
    with Registry.open(restored, read_only=True) as reg:
        assert reg.query("select patient_id from patients")["patient_id"].to_list() == ["NP-001"]


def test_restore_refuses_a_damaged_backup_and_keeps_the_registry(registry_path: Path, tmp_path: Path) -> None:
    Registry.create(registry_path).close()
    _add_patient(registry_path, "NP-001")
    backup_registry(registry_path, tmp_path / "bk")
    _add_patient(registry_path, "NP-002")
    copy = tmp_path / "bk" / registry_path.name
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    before = registry_path.read_bytes()
    with pytest.raises(RegistryError, match="damaged"):
        restore_registry(tmp_path / "bk", registry_path, overwrite=True)
    assert registry_path.read_bytes() == before


def test_restore_will_not_overwrite_without_asking(registry_path: Path, tmp_path: Path) -> None:
    Registry.create(registry_path).close()
    backup_registry(registry_path, tmp_path / "bk")
    with pytest.raises(RegistryError, match="--overwrite"):
        restore_registry(tmp_path / "bk", registry_path)


def test_backup_and_restore_commands(registry_path: Path, tmp_path: Path) -> None:
    Registry.create(registry_path).close()
    _add_patient(registry_path, "NP-001")
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(registry_path), "backup", str(tmp_path / "bk")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["sha256"] in result.output
    target = tmp_path / "again.duckdb"
    result = runner.invoke(cli, ["--db", str(target), "restore", str(tmp_path / "bk"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {"table": "patients", "rows": 1} in json.loads(result.output)


@pytest.mark.postgres
def test_backup_and_restore_of_a_postgresql_registry_name_pg_dump(postgres_server, tmp_path: Path) -> None:
    url = postgres_server.migrated_database()
    with pytest.raises(RegistryError, match=r"backup works on registry files; .* use pg_dump and pg_restore"):
        backup_registry(url, tmp_path / "bk")
    assert not (tmp_path / "bk").exists()
    with pytest.raises(RegistryError, match=r"restore works on registry files; .* use pg_dump"):
        restore_registry(tmp_path, url)
