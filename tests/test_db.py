"""The registry file: creation, migrations with checksums, views, read-only opening, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netpet.registry import MigrationError, Registry, RegistryError
from netpet.registry.migrations import applied_migrations, pending_migrations
from netpet.registry.sqlfiles import sql_files, sql_root
from netpet.registry.views import list_views


def test_create_applies_every_migration(registry: Registry) -> None:
    applied = applied_migrations(registry)["name"].to_list()
    assert applied == [p.stem for p in sql_files("migrations")]
    assert pending_migrations(registry) == []


def test_create_refuses_an_existing_registry(registries) -> None:
    # A file "already exists"; a PostgreSQL database "already holds a registry".
    with pytest.raises(RegistryError, match=r"already (exists|holds a registry); open it instead"):
        Registry.create(registries.copy())


def test_open_missing_file_names_init(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="netpet init"):
        Registry.open(tmp_path / "nope.duckdb")


def test_every_view_has_a_comment(registry: Registry) -> None:
    views = list_views(registry)
    assert views.height == len(sql_files("views"))
    assert views.filter(views["comment"].is_null() | (views["comment"] == "")).height == 0


def test_edited_applied_migration_is_an_error(registries, tmp_path: Path, monkeypatch) -> None:
    registry_path = registries.copy()
    edited = tmp_path / "sql"
    shutil.copytree(sql_root(), edited)
    first = sorted((edited / "migrations").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an edit\n")
    monkeypatch.setattr("netpet.registry.sqlfiles.sql_root", lambda: edited)
    with pytest.raises(MigrationError, match="edited after it was applied"):
        Registry.open(registry_path)


def test_older_registry_gets_pending_migrations_on_open(registries, tmp_path: Path, monkeypatch) -> None:
    registry_path = registries.copy()
    newer = tmp_path / "sql"
    shutil.copytree(sql_root(), newer)
    (newer / "migrations" / "9999_add_note.sql").write_text("create table notes (note varchar);")
    monkeypatch.setattr("netpet.registry.sqlfiles.sql_root", lambda: newer)
    with pytest.raises(MigrationError, match="needs migrating"):
        Registry.open(registry_path, read_only=True)
    with Registry.open(registry_path) as reg:
        assert "notes" in reg.table_names()
        assert applied_migrations(reg)["name"].to_list()[-1] == "9999_add_note"


def test_read_only_registry_refuses_transactions(registries) -> None:
    registry_path = registries.copy()
    with (
        Registry.open(registry_path, read_only=True) as reg,
        pytest.raises(RegistryError, match="read-only"),
        reg.transaction(),
    ):
        pass


def test_settings_default_and_persist(registries) -> None:
    registry_path = registries.copy()
    with Registry.open(registry_path) as reg:
        assert reg.setting("pairing_window_days") == "31"
        reg.set_setting("pairing_window_days", "14")
    with Registry.open(registry_path, read_only=True) as reg:
        assert reg.setting("pairing_window_days") == "14"
    with Registry.open(registry_path) as reg, pytest.raises(RegistryError, match="unknown setting"):
        reg.setting("colour")


def test_init_migrate_and_views_commands_never_print_a_password(registry_url: str) -> None:
    from click.testing import CliRunner

    from netpet.cli import cli

    # The test server trusts local connections, so a password in the URL is accepted and ignored.
    db = registry_url.replace("postgres@", "postgres:s3cret@")
    runner = CliRunner()
    results = [runner.invoke(cli, ["--db", db, command]) for command in ("init", "migrate", "views")]
    for result in results:
        assert result.exit_code == 0, result.output
        assert "s3cret" not in result.output
    assert results[0].output.startswith("created registry ")
    migrations = len(sql_files("migrations"))
    assert f"{migrations} migrations applied, views rebuilt" in results[1].output
    assert "patient_survival" in results[2].output


def test_a_migration_applied_before_a_comment_only_edit_still_opens(registries, tmp_path: Path) -> None:
    """A registry that recorded 0002 under its old text (before its comment changed) opens without error."""
    from netpet.registry.migrations import COMMENT_ONLY_EDITS

    path = registries.copy()
    old = COMMENT_ONLY_EDITS["0002_create_clinical_tables"]
    with Registry.open(path) as reg, reg.transaction() as con:
        con.execute("update schema_migrations set sha256 = $old where name = $name",
                    {"old": old, "name": "0002_create_clinical_tables"})
    with Registry.open(path, read_only=True) as reg:
        assert pending_migrations(reg) == []
        assert applied_migrations(reg).filter(name="0002_create_clinical_tables")["sha256"].item() == old


def test_migration_0100_keeps_every_lesion_read_and_adds_an_empty_krenning_score(
    registries, tmp_path: Path, monkeypatch
) -> None:
    """A registry made before 0100, with reads, gets the column (null, last); nothing else changes."""
    older = tmp_path / "sql"
    shutil.copytree(sql_root(), older)
    (older / "migrations" / "0100_add_sstr_krenning.sql").unlink()
    monkeypatch.setattr("netpet.registry.sqlfiles.sql_root", lambda: older)
    location = registries.empty()
    with Registry.create(location) as reg, reg.transaction() as con:
        con.execute("insert into patients (patient_id, diagnosis_date, primary_site) values "
                    "('P1', date '2019-01-01', 'lung')")
        con.execute("insert into pet_scans values ('S1', 'P1', 'ga68_dotatate', date '2020-01-01', null), "
                    "('F1', 'P1', 'fdg', date '2020-01-02', null)")
        con.execute("insert into timepoints values ('T1', 'P1', 'S1', 'F1', null, null)")
        con.execute("insert into lesion_reads values ('T1', 'a', 'liver', 20.5, 6.1, true, true, 'similar', 7), "
                    "('T1', 'b', 'bone', null, null, false, false, null, 7)")
    monkeypatch.undo()
    with Registry.open(location) as reg:
        assert "0100_add_sstr_krenning" in applied_migrations(reg)["name"].to_list()
        reads = reg.query("select * from lesion_reads order by lesion_id")
        assert reads.rows() == [("T1", "a", "liver", 20.5, 6.1, True, True, "similar", 7, None),
                                ("T1", "b", "bone", None, None, False, False, None, 7, None)]
