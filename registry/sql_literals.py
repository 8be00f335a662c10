"""Numbers, booleans and dates given to a query, written into its SQL as typed literals instead of bound.

DuckDB's Python client (1.5.5) imports pandas before it binds any parameter other than None
(duckdb/duckdb#18658): 0.2-0.3 s of every command that binds one, for nothing pandas does. A value of these
types is written by Python's own formatting (digits, signs, dashes, an exponent), so no text from outside
reaches the SQL, and it carries the type DuckDB gives the same value bound (INTEGER or BIGINT by size,
DOUBLE, BOOLEAN, DATE). Everything else (text, lists, timestamps, None, numbers out of range) is still bound.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

#: A string literal, a quoted identifier or a comment (kept as written), or a `$name` parameter.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\$([A-Za-z_][A-Za-z0-9_]*)", re.S)
_INT32 = 2**31
_INT64 = 2**63


def literal(value: Any) -> str | None:
    """The SQL literal DuckDB reads as `value` with the type it would bind it as, or None to bind it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if -_INT32 <= value < _INT32:
            return f"CAST({value:d} AS INTEGER)"
        return f"CAST({value:d} AS BIGINT)" if -_INT64 <= value < _INT64 else None
    if isinstance(value, float):
        # repr of the float itself: a subclass such as numpy.float64 shows its type ("np.float64(0.1)")
        return f"CAST('{float(value)!r}' AS DOUBLE)" if math.isfinite(value) else None
    if type(value) is date:  # a datetime is a date too; it stays bound
        return f"DATE '{value.isoformat()}'"
    return None


def inline_literals(sql: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Write the parameters `literal` can write into `sql`; return the SQL and the parameters left to bind.

    Only a `$name` outside string literals, quoted identifiers and comments is replaced."""
    written = {name: text for name, value in params.items() if (text := literal(value)) is not None}
    if not written:
        return sql, dict(params)

    def replace(match: re.Match[str]) -> str:
        return written.get(match.group(1) or "", match.group(0))

    return _TOKENS.sub(replace, sql), {k: v for k, v in params.items() if k not in written}
