"""Lock a connection down before it runs SQL a user wrote, and check what that SQL may read.

Two guards, both needed. The connection's settings take away DuckDB's reach beyond the registry: no file or
network access (`enable_external_access`), no extension installed or loaded on demand, no community
extension, and the configuration locked so the query cannot turn any of it back on (DuckDB's "Securing
DuckDB" guide). The registry's own extensions (postgres_scanner, httpfs) are loaded from their installed
paths when the registry is attached, which happens before the lock. Then the statement's syntax tree
(DuckDB's `json_serialize_sql`, which parses without running anything) is walked: every relation it names
must be an analysis view (or, when asked for, a base table), and every table function must be on a short
allowlist, so that `postgres_query`, `duckdb_databases()`, `query_table()` and the like are refused by name
before DuckDB binds them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import duckdb

from netpet.registry.errors import RegistryError
from netpet.registry.sqlfiles import read_sql

if TYPE_CHECKING:
    from netpet.registry.db import Registry

#: Table functions user SQL may call: they generate values and read nothing.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})


class SandboxError(RegistryError):
    """User SQL names something outside what it may read."""


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Turn off external access and extension loading on `con` and lock its configuration (irreversible).

    The settings are in `sql/queries/sandbox_lock.sql`.
    """
    row = con.execute(read_sql("queries", "sandbox_locked")).fetchone()
    if not (row and row[0]):
        con.execute(read_sql("queries", "sandbox_lock"))


def readable_relations(reg: Registry, *, tables: bool) -> frozenset[str]:
    """Return the names user SQL may read: the analysis views, and the base tables when `tables` is set."""
    from netpet.registry.views import list_views

    views = set(list_views(reg)["view_name"].to_list())
    return frozenset(views | set(reg.table_names()) if tables else views)


def catalog_relations(reg: Registry) -> frozenset[str]:
    """Return every table and view name any attached catalog holds (system views included), lower case."""
    frame = reg.query_file("queries", "catalog_relations")
    return frozenset(name.lower() for name in frame["name"].to_list())


def check_relations(reg: Registry, sql: str, *, tables: bool) -> None:
    """Refuse `sql` (one SELECT) when it reads a relation or calls a table function it may not.

    Raises
    ------
    SandboxError
        Naming the first relation or function refused, and what may be read instead.
    """
    tree = _syntax_tree(reg.con, sql)
    allowed = {name.lower() for name in readable_relations(reg, tables=tables)}
    ctes = {name.lower() for name in _cte_names(tree)}
    shadowing = sorted(ctes & catalog_relations(reg))
    if shadowing:
        raise SandboxError(f"a WITH name may not reuse a registry name: rename {shadowing[0]!r}")
    what = "the analysis views and base tables" if tables else "the analysis views (`netpet views`)"
    for node in _nodes(tree):
        kind = node.get("type")
        if kind == "BASE_TABLE":
            name, qualified = str(node["table_name"]), node.get("schema_name") or node.get("catalog_name")
            if qualified or (name.lower() not in allowed and name.lower() not in ctes):
                shown = ".".join(p for p in (node.get("catalog_name"), node.get("schema_name"), name) if p)
                raise SandboxError(f"{shown!r} cannot be read here; a query reads {what}, by their plain names")
        elif kind == "TABLE_FUNCTION":
            function = node.get("function") or {}
            name = str(function.get("function_name", "")).lower()
            if name not in ALLOWED_TABLE_FUNCTIONS or function.get("schema") or function.get("catalog"):
                raise SandboxError(
                    f"table function {name}() is not allowed; a query reads {what} "
                    f"(allowed functions: {', '.join(sorted(ALLOWED_TABLE_FUNCTIONS))})"
                )
        elif kind == "SHOW_REF" and node.get("query") is None:
            raise SandboxError(f"SHOW lists the catalog; `netpet views` lists {what.removeprefix('the ')}")


def _syntax_tree(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """Parse `sql` into DuckDB's JSON syntax tree without binding or running it."""
    row = con.execute(read_sql("queries", "syntax_tree"), {"sql": sql}).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    if tree.get("error"):
        raise SandboxError(f"cannot check the query: {tree.get('error_message', 'it does not parse')}")
    return dict(tree)


def _nodes(value: object) -> Iterator[dict[str, Any]]:
    """Yield every JSON object in `value`, depth first."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


def _cte_names(tree: dict[str, Any]) -> set[str]:
    return {
        str(entry["key"])
        for node in _nodes(tree)
        if isinstance(node.get("cte_map"), dict)
        for entry in node["cte_map"].get("map", [])
    }
