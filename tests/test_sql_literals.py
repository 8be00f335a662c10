"""Numbers, booleans and dates are written into a query's SQL (`registry.sql_literals`) as the very values, of
the very types, DuckDB gives them bound; text and everything else stays bound."""

from __future__ import annotations

import struct
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
import pytest

from netpet.registry.sql_literals import inline_literals, literal

WRITTEN = [
    0, 1, -1, 7, -5, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1, 2**63 - 1, -(2**63),
    True, False,
    0.0, -0.0, 0.1, -2.5, 1e-300, 5e-324, 1.7976931348623157e308, 1 / 3, 123456789.123456789,
    date(2025, 12, 31), date(1, 1, 1), date(9999, 12, 31), date(2000, 2, 29),
]
BOUND = ["text", "it's", None, datetime(2025, 1, 1, 3), 2**63, float("nan"), float("inf"), [1, 2]]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _typed(con: duckdb.DuckDBPyConnection, value: Any) -> tuple[str, Any]:
    """The type and value of `value` in DuckDB, written as a literal, and the same bound."""
    sql, bound = inline_literals("select typeof($a) as t, $a as v", {"a": value})
    assert bound == {}
    assert "$a" not in sql
    return con.execute(sql).fetchone()


@pytest.mark.parametrize("value", WRITTEN, ids=repr)
def test_a_written_value_is_the_bound_value_of_the_bound_type(con: duckdb.DuckDBPyConnection, value: Any) -> None:
    written_type, written = _typed(con, value)
    bound_type, bound = con.execute("select typeof($a), $a", {"a": value}).fetchone()
    assert written_type == bound_type
    assert written == bound
    if isinstance(value, float):  # the same bits, sign of zero included
        assert struct.pack("<d", written) == struct.pack("<d", value)


def test_random_doubles_keep_every_bit(con: duckdb.DuckDBPyConnection) -> None:
    rng = np.random.default_rng(20261206)
    values = [float(v) for v in rng.standard_normal(300) * 10.0 ** rng.integers(-300, 300, 300)]
    for value in values:
        assert struct.pack("<d", _typed(con, value)[1]) == struct.pack("<d", value)


@pytest.mark.parametrize("value", BOUND, ids=repr)
def test_everything_else_is_left_to_bind(value: Any) -> None:
    assert literal(value) is None
    sql, bound = inline_literals("select $a", {"a": value})
    assert sql == "select $a"
    assert bound == {"a": value}


def test_a_numpy_float_is_written_as_its_value(con: duckdb.DuckDBPyConnection) -> None:
    """numpy.float64 is a float subclass whose repr names its type; the literal holds the number alone."""
    assert _typed(con, np.float64(0.1)) == ("DOUBLE", 0.1)


def test_a_negative_number_after_a_minus_is_not_a_comment(con: duckdb.DuckDBPyConnection) -> None:
    sql, _ = inline_literals("select 10-$a as d", {"a": -5})
    assert con.execute(sql).fetchone() == (15,)


def test_only_parameters_are_replaced(con: duckdb.DuckDBPyConnection) -> None:
    """Not the same characters in a string, a quoted name or a comment, nor a longer name that starts alike."""
    sql, bound = inline_literals(
        "select '$a' as s, 'it''s $a' as t, $a as \"$a\", $a_b as ab -- $a\n/* $a */", {"a": 1, "a_b": "x"}
    )
    assert bound == {"a_b": "x"}
    assert con.execute(sql, bound).fetchall() == [("$a", "it's $a", 1, "x")]
    assert con.execute(sql, bound).description[2][0] == "$a"
    assert sql.endswith("-- $a\n/* $a */")


def test_the_same_parameter_twice(con: duckdb.DuckDBPyConnection) -> None:
    sql, bound = inline_literals("select $d + $n as later, $d as d", {"d": date(2025, 1, 30), "n": 2})
    assert bound == {}
    assert con.execute(sql).fetchone() == (date(2025, 2, 1), date(2025, 1, 30))
