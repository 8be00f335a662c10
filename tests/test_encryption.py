"""An encrypted registry holds no plaintext patient values and cannot be read without its key.

The search tests import 50 demo patients through the real importer and look for their values, as UTF-8 and
UTF-16, in the registry file and in its write-ahead log (which holds the import until the checkpoint at
close). The same search over an unencrypted registry finds every patient ID: the search can see a leak.
DuckDB files: encryption at rest is a property of the file (a key for PostgreSQL is refused).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry, RegistryError
from netpet.registry.encryption import read_key_file
from netpet.registry.ingest import import_folder
from tests.reliability_fixtures import demo_folder

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


KEY = "a registry key for the demo tests"
OPERATOR = "operator-Hypatia-5521"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site folder of 50 demo patients (CSV)."""
    return demo_folder(tmp_path_factory.mktemp("enc") / "site", patients=50, seed=5, prefix="Q")


def _known_values(folder: Path) -> dict[str, list[str]]:
    """The plaintext to look for: every patient ID and site, and a sample of other IDs and values."""
    read = {
        name: pl.read_csv(folder / f"{name}.csv", infer_schema=False)
        for name in ("patients", "pet_scans", "treatments", "outcomes")
    }
    return {
        "patient_id": read["patients"]["patient_id"].to_list(),
        "site": read["patients"]["site"].drop_nulls().unique().to_list(),
        "scan_id": read["pet_scans"]["scan_id"].gather_every(7).to_list(),
        "treatment_id": read["treatments"]["treatment_id"].gather_every(5).to_list(),
        "detail": read["outcomes"]["detail"].drop_nulls().unique().to_list(),
        "other": [OPERATOR, str(folder), "ga68_dotatate", "small_bowel", "prrt_lu177_dotatate", "patients.csv"],
    }


def _found(raw: bytes, values: dict[str, list[str]]) -> dict[str, list[str]]:
    hits = {
        kind: [v for v in found if v.encode() in raw or v.encode("utf-16-le") in raw] for kind, found in values.items()
    }
    return {kind: found for kind, found in hits.items() if found}


def _import_and_read(path: Path, folder: Path, key: str | None) -> tuple[bytes, bytes]:
    """Import `folder` into a new registry; return its WAL while still open, and its file after closing."""
    with Registry.create(path, key=key) as reg:
        import_folder(reg, folder, operator=OPERATOR)
        wal = Path(f"{path}.wal").read_bytes()
    return wal, path.read_bytes()


def test_search_finds_plaintext_in_an_unencrypted_registry(demo_site: Path, tmp_path: Path) -> None:
    """The control: without a key the same import leaves every patient ID readable in the WAL and the file."""
    values = _known_values(demo_site)
    wal, file = _import_and_read(tmp_path / "plain.duckdb", demo_site, key=None)
    assert _found(wal, values)["patient_id"] == values["patient_id"]
    assert _found(file, values)["patient_id"] == values["patient_id"]
    assert sorted(_found(file, values)["site"]) == sorted(values["site"])


def test_encrypted_registry_and_its_wal_hold_no_imported_plaintext(demo_site: Path, tmp_path: Path) -> None:
    values = _known_values(demo_site)
    assert len(values["patient_id"]) == 50
    wal, file = _import_and_read(tmp_path / "secret.duckdb", demo_site, key=KEY)
    assert len(wal) > 100_000  # the import itself sat in the log when it was searched
    assert len(file) > 100_000
    assert _found(wal, values) == {}
    assert _found(file, values) == {}
    with Registry.open(tmp_path / "secret.duckdb", read_only=True, key=KEY) as reg:
        assert sorted(reg.query("select patient_id from patients")["patient_id"]) == sorted(values["patient_id"])


def _km(db: Path, env: dict[str, str]) -> dict:
    result = CliRunner(env=env).invoke(cli, ["--db", str(db), "km", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_encrypted_registry_works_from_init_through_import_to_km(demo_site: Path, tmp_path: Path) -> None:
    """`init --encrypt`, `import` and `km` with $NETPET_KEY give the same curves as an unencrypted registry."""
    runner = CliRunner(env={"NETPET_KEY": KEY})
    secret, plain = tmp_path / "secret.duckdb", tmp_path / "plain.duckdb"
    assert runner.invoke(cli, ["--db", str(secret), "init", "--encrypt"]).exit_code == 0
    imported = runner.invoke(cli, ["--db", str(secret), "import", str(demo_site)])
    assert imported.exit_code == 0, imported.output
    with Registry.create(plain) as reg:
        import_folder(reg, demo_site)
    curves = _km(secret, {"NETPET_KEY": KEY})
    assert curves == _km(plain, {})
    assert sum(g["n"] for g in curves["groups"]) > 0
    refused = CliRunner().invoke(cli, ["--db", str(secret), "km"])
    assert refused.exit_code == 1
    assert "is encrypted: give its key with $NETPET_KEY" in refused.output


MARKER = "SPILLED-PATIENT-VALUE-"


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "encrypted"])
def test_spilled_temp_files_of_an_encrypted_registry_hold_no_plaintext(tmp_path: Path, key: str | None) -> None:
    """A temp table too big for memory spills to disk; for an encrypted registry the spill is encrypted too."""
    spill = tmp_path / "spill"
    with Registry.create(tmp_path / "r.duckdb", key=key) as reg:
        reg.con.execute(f"set temp_directory = '{spill}'")  # a test-owned path, not input
        reg.con.execute("set memory_limit = '64MB'")
        reg.con.execute("set preserve_insertion_order = false")
        reg.con.execute(
            "create temp table big as select $m || i::varchar || repeat('x', 40) as s from range(2500000) t(i)",
            {"m": MARKER},
        )
        spilled = b"".join(p.read_bytes() for p in spill.iterdir())
    assert len(spilled) > 10_000_000
    assert (MARKER.encode() in spilled) is (key is None)


@pytest.mark.postgres
def test_a_key_for_a_postgresql_registry_is_refused(postgres_server) -> None:
    with pytest.raises(RegistryError, match="encryption at rest applies to registry files"):
        Registry.open(postgres_server.new_database(), key="k1")
