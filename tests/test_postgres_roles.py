"""The PostgreSQL roles script: an analyst reads but cannot write or make large objects; an importer imports."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry.extensions import load_extension
from tests.cohort_fixtures import fill_fixture

pytestmark = pytest.mark.postgres

ROLES = Path(__file__).resolve().parent.parent / "sql" / "postgres" / "roles.sql"
PATIENTS = ("patient_id,site,sex,birth_date,diagnosis_date,primary_site,who_grade,ki67_percent\n"
            "Z1,north,female,,2015-03-01,pancreas,,\nZ2,north,male,,2016-03-01,pancreas,,\n")
_names = itertools.count(1)


@pytest.fixture
def roles(postgres_server, registry_templates, tmp_path: Path) -> dict[str, str]:
    """A filled registry with the roles script applied, and a login URL per role."""
    url = registry_templates.copy("postgres", tmp_path / "db", fill_fixture)
    dbname = url.rsplit("/", 1)[1]
    postgres_server.psql(dbname, "-f", str(ROLES))
    users = {}
    for role in ("analyst", "importer"):
        user = f"{role}_{next(_names)}"
        postgres_server.psql(dbname, "-c", f"create role {user} login in role netpet_{role}")
        users[role] = url.replace("postgres@", f"{user}@")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "patients.csv").write_text(PATIENTS, encoding="utf-8")
    return users | {"folder": str(tmp_path / "site")}


def test_an_analyst_queries_the_views_but_cannot_import(roles: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", roles["analyst"], "query", "select count(*) as n from patient_survival",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["n", "8"]
    refused = runner.invoke(cli, ["--db", roles["analyst"], "import", roles["folder"]])
    assert refused.exit_code == 1
    assert "may not write the registry (permission denied for sequence import_batch_seq)" in refused.output
    counted = runner.invoke(cli, ["--db", roles["analyst"], "query", "select count(*) as n from patient_survival",
                                  "--format", "csv"])
    assert counted.output.splitlines() == ["n", "8"]


def test_an_importer_imports(roles: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["--db", roles["importer"], "import", roles["folder"]])
    assert result.exit_code == 0, result.output
    counted = CliRunner().invoke(cli, ["--db", roles["analyst"], "query", "select count(*) as n from patient_survival",
                                       "--format", "csv"])
    assert counted.output.splitlines() == ["n", "10"]


@pytest.mark.parametrize("sql", [
    "select lo_from_bytea(0, 'x'::bytea)",
    "select lo_create(0)",
    "create table stolen (x int)",
    "delete from patients",
])
def test_an_analyst_cannot_store_anything_on_the_server(roles: dict[str, str], sql: str) -> None:
    con = duckdb.connect()
    load_extension(con, "postgres_scanner")
    con.execute(f"attach '{roles['analyst']}' as pg (type postgres)")
    with pytest.raises(duckdb.Error, match="permission denied"):
        con.execute("call postgres_execute('pg', $sql)", {"sql": sql})


def test_query_connects_as_the_configured_reader(roles: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPET_READER_DB", roles["analyst"])
    sql = "select count(*) as n from patient_survival"
    result = CliRunner().invoke(cli, ["--db", roles["importer"], "query", sql, "--format", "csv"])
    assert result.output.splitlines() == ["n", "8"]
    monkeypatch.setenv("NETPET_READER_DB", roles["analyst"].rsplit("/", 1)[0] + "/no_such_database")
    refused = CliRunner().invoke(cli, ["--db", roles["importer"], "query", sql])
    assert refused.exit_code == 1
    assert "no_such_database" in refused.output  # the reader's URL was used, not --db
