"""`netpet query` is sandboxed: no file, network or extension access, only the analysis views, on both backends."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.query import QueryError, run_query
from tests.attacks.queries import ATTACK_QUERIES, SECRET_TEXT
from tests.cohort_fixtures import fill_fixture


@pytest.fixture(scope="module")
def location(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The query fixture registry on the module's backend (never written by these tests)."""
    return registry_templates.copy(backend, tmp_path_factory.mktemp("sandbox"), fill_fixture)


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Files outside the registry that no query may read: a text file and a Parquet file with the secret."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text(SECRET_TEXT + "\n", encoding="utf-8")
    pl.DataFrame({"secret": [SECRET_TEXT]}).write_parquet(folder / "secret.parquet")
    return {"secret": str(folder / "secret.txt"), "parquet": str(folder / "secret.parquet"),
            "folder": str(folder), "out": str(folder / "written")}


@pytest.mark.parametrize(("attack", "sql"), ATTACK_QUERIES, ids=[a for a, _ in ATTACK_QUERIES])
def test_attack_query_is_refused(location: str, secrets: dict[str, str], attack: str, sql: str) -> None:
    with Registry.open(location, read_only=True) as reg:
        with pytest.raises(QueryError) as caught:
            run_query(reg, sql.format(**secrets))
        assert run_query(reg, "select count(*) as n from patient_survival")["n"][0] == 8  # still usable
    assert SECRET_TEXT not in str(caught.value)
    assert "postgres@" not in str(caught.value)
    assert not Path(secrets["out"]).exists()


def test_the_cli_refuses_a_file_read_and_prints_nothing_of_it(location: str, secrets: dict[str, str]) -> None:
    sql = f"select content from read_text('{secrets['secret']}')"
    result = CliRunner().invoke(cli, ["--db", location, "query", sql, "--format", "csv"])
    assert result.exit_code == 1
    assert SECRET_TEXT not in result.output


def test_the_key_file_cannot_be_read(location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("the-registry-key-1234", encoding="utf-8")
    key_file.chmod(0o600)
    monkeypatch.setenv("NETPET_KEY_FILE", str(key_file))
    with Registry.open(location, read_only=True) as reg, pytest.raises(QueryError):
        run_query(reg, f"select content from read_text('{key_file}')")


def test_views_are_readable_and_describable(location: str) -> None:
    with Registry.open(location, read_only=True) as reg:
        described = run_query(reg, "describe patient_survival")
        rows = run_query(
            reg,
            "with s as (select * from patient_survival) "
            "select netpet_group, count(*) as n from s join range(1) on true group by 1 order by 1",
        )
    assert "netpet_group" in described["column_name"].to_list()
    assert rows["n"].sum() == 8


def test_base_tables_only_with_the_explicit_option(location: str) -> None:
    with Registry.open(location, read_only=True) as reg:
        births = run_query(reg, "select count(birth_date) as n from patients", tables=True)
        with pytest.raises(QueryError, match="query_table"):
            run_query(reg, "select * from query_table('patients')", tables=True)
    assert births["n"][0] == 7
    refused = CliRunner().invoke(cli, ["--db", location, "query", "select * from patients"])
    assert refused.exit_code == 1
    assert "analysis views" in refused.output
    allowed = CliRunner().invoke(cli, ["--db", location, "query", "--tables", "select count(*) as n from patients",
                                       "--format", "csv"])
    assert allowed.exit_code == 0, allowed.output
    assert allowed.output.splitlines() == ["n", "8"]


def test_help_and_readme_say_what_query_reads() -> None:
    help_text = " ".join(CliRunner().invoke(cli, ["query", "--help"]).output.split())
    assert "analysis views" in help_text
    assert "--tables" in help_text
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("netpet query"))
    assert "analysis views" in line
    assert "and tables" not in help_text


def test_a_blob_column_is_written_as_base64_json_and_csv(location: str) -> None:
    sql = "select 'ab\\x00'::blob as b from patient_survival limit 1"
    result = CliRunner().invoke(cli, ["--db", location, "query", sql, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert base64.b64decode(json.loads(result.output)[0]["b"]) == b"ab\x00"
    as_csv = CliRunner().invoke(cli, ["--db", location, "query", sql, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    assert base64.b64decode(as_csv.output.splitlines()[1]) == b"ab\x00"
