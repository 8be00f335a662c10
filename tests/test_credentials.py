"""A PostgreSQL password never appears in a message, a manifest or through `query`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry, RegistryError
from netpet.registry.credentials import mask, masked_url
from tests.cohort_fixtures import fill_fixture

SECRET = "s3cr3t-pw"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (f"postgresql://alice:{SECRET}@db.example:5433/netpet", "postgresql://alice:***@db.example:5433/netpet"),
        (f"postgresql://alice:ab@{SECRET}@db.example/netpet", "postgresql://alice:***@db.example/netpet"),
        (f"postgresql://alice@db.example/netpet?password={SECRET}&sslmode=require",
         "postgresql://alice@db.example/netpet?password=***&sslmode=require"),
        (f"postgres://alice:{SECRET.replace('-', '%2D')}@h/n", "postgres://alice:***@h/n"),
        ("postgresql://alice@db.example/netpet", "postgresql://alice@db.example/netpet"),
    ],
)
def test_every_form_of_password_is_masked(url: str, masked: str) -> None:
    assert masked_url(url) == masked


def test_the_engine_message_is_masked_too() -> None:
    url = f"postgresql://alice:ab@{SECRET}@h/n"
    engine = f'Unable to connect to Postgres at "{url}": could not translate host name "{SECRET}@h" to address'
    assert SECRET not in mask(engine, url)
    assert "ab@" not in mask(engine, url).split("at ")[1]


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://alice:{SECRET}@127.0.0.1:1/db",
        f"postgresql://alice:x@{SECRET}@127.0.0.1:1/db",
        f"postgresql://alice@127.0.0.1:1/db?password={SECRET}",
    ],
)
def test_a_connection_error_carries_no_password(url: str) -> None:
    with pytest.raises(RegistryError) as caught:
        Registry.open(url, read_only=True)
    assert SECRET not in str(caught.value)
    result = CliRunner().invoke(cli, ["--db", url, "views"])
    assert result.exit_code == 1
    assert SECRET not in result.output


@pytest.mark.postgres
def test_query_cannot_read_the_connection_string_and_the_manifest_masks_it(registry_templates, tmp_path: Path) -> None:
    # The test server trusts local connections, so the password is carried but unused.
    url = registry_templates.copy("postgres", tmp_path / "db", fill_fixture) + f"?password={SECRET}"
    result = CliRunner().invoke(cli, ["--db", url, "query", "select path from duckdb_databases()"])
    assert result.exit_code == 1
    assert SECRET not in result.output
    report = CliRunner().invoke(cli, ["--db", url, "report", "--out", str(tmp_path / "r"), "--format", "png"])
    assert report.exit_code == 0, report.output
    manifest = (tmp_path / "r" / "manifest.json").read_text(encoding="utf-8")
    assert SECRET not in manifest, report.output
    assert json.loads(manifest)["registry"]["url"].endswith("password=***")
