"""Ad-hoc queries: one SELECT over the views on a read-only registry; anything else is refused clearly.

The attacks (files, extensions, base tables, the server) are in test_query_sandbox.py."""

from __future__ import annotations

import pytest

from netpet.registry import Registry
from netpet.registry.query import QueryError, run_query
from tests.cohort_fixtures import fill_fixture


@pytest.fixture(scope="module")
def reader(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory):
    """The fixture registry on each backend, open read-only for the whole module."""
    location = registry_templates.copy(backend, tmp_path_factory.mktemp("query"), fill_fixture)
    with Registry.open(location, read_only=True) as reg:
        yield reg


def test_select_over_a_view_returns_its_rows(reader: Registry) -> None:
    sql = "select patient_id, netpet_score from patient_survival where primary_site = 'lung'"
    frame = run_query(reader, sql)
    assert frame.to_dicts() == [{"patient_id": "A7", "netpet_score": "P5"}]


def test_with_query_and_leading_comment_are_allowed(reader: Registry) -> None:
    sql = (
        "-- patients ever scored P5\n"
        "with s as (select patient_id from timepoint_scores where score = 5)\n"
        "select count(distinct patient_id) as n from s"
    )
    assert run_query(reader, sql)["n"][0] == 4  # P5 at some timepoint: A1, A2, A4, A7


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("delete from patients", r"only a SELECT \(or WITH ... SELECT\) is allowed, not DELETE"),
        ("drop table patients", r"not DROP"),
        ("select 1; drop table patients", r"exactly one SELECT statement \(got 2\)"),
        ("", r"exactly one SELECT statement \(got 0\)"),
        ("copy patients to '/tmp/out.csv'", r"not COPY"),
        ("attach '/tmp/other.duckdb' as other", r"not ATTACH"),
        ("describe patients", r"'patients' cannot be read here"),
        ("selec * from patients", r"cannot parse the query"),
        ("select * from no_such_view", r"'no_such_view' cannot be read here"),
        ("select * from patient_survival where no_such_column", r"query failed: Binder Error"),
    ],
)
def test_anything_but_one_select_is_refused(reader: Registry, sql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run_query(reader, sql)
    assert run_query(reader, "select count(*) as n from patients", tables=True)["n"][0] == 8


def test_a_writable_registry_is_refused(registry: Registry) -> None:
    with pytest.raises(QueryError, match="read-only registry"):
        run_query(registry, "select 1")


def test_read_only_connection_is_the_real_guard(reader: Registry) -> None:
    # Even a statement that slipped past the check could not write: the file is attached read-only.
    with pytest.raises(Exception, match="read-only"):
        reader.con.execute("delete from patients")
    assert run_query(reader, "select count(*) as n from patients", tables=True)["n"][0] == 8
