"""An encrypted registry holds no plaintext patient values and cannot be read without its key.

DuckDB files: encryption at rest is a property of the file (a key for PostgreSQL is refused).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from registry import Registry, RegistryError
from registry.encryption import read_key_file

SECRET_ID = "NP-PLAINTEXT-7731"
SECRET_SITE = "Zanzibar-General-Hospital"


def _fill(reg: Registry) -> None:
    with reg.transaction() as con:
        con.execute(
            "insert into patients (patient_id, site, diagnosis_date, primary_site) "
            "values ($p, $s, date '2020-01-01', 'pancreas')",
            {"p": SECRET_ID, "s": SECRET_SITE},
        )


def test_encrypted_file_holds_no_plaintext(registry_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPET_KEY", "correct horse battery staple")
    result = CliRunner().invoke(cli, ["--db", str(registry_path), "init", "--encrypt"])
    assert result.exit_code == 0, result.output
    with Registry.open(registry_path, key="correct horse battery staple") as reg:
        _fill(reg)
        reg.con.execute("checkpoint")
    raw = registry_path.read_bytes()
    for value in (SECRET_ID, SECRET_SITE, "pancreas"):
        assert value.encode() not in raw
        assert value.encode("utf-16-le") not in raw
    with Registry.open(registry_path, read_only=True, key="correct horse battery staple") as reg:
        assert reg.query("select patient_id from patients")["patient_id"].to_list() == [SECRET_ID]


def test_encrypted_registry_needs_its_key(registry_path: Path) -> None:
    Registry.create(registry_path, key="k1").close()
    with pytest.raises(RegistryError, match="encrypted"):
        Registry.open(registry_path)
    with pytest.raises(RegistryError, match="key given does not open"):
        Registry.open(registry_path, key="not-the-key")


def test_init_encrypt_without_a_key_is_refused(registry_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(registry_path), "init", "--encrypt"])
    assert result.exit_code == 1
    assert "needs a key" in result.output
    assert not registry_path.exists()


def test_key_file_must_be_private(tmp_path: Path) -> None:
    key_file = tmp_path / "netpet.key"
    key_file.write_text("s3cret\n")
    key_file.chmod(0o644)
    with pytest.raises(RegistryError, match="chmod 600"):
        read_key_file(key_file)
    key_file.chmod(0o600)
    assert read_key_file(key_file) == "s3cret"


@pytest.mark.postgres
def test_a_key_for_a_postgresql_registry_is_refused(postgres_server) -> None:
    with pytest.raises(RegistryError, match="encryption at rest applies to registry files"):
        Registry.open(postgres_server.new_database(), key="k1")
