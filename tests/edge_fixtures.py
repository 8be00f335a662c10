"""Load the R reference cases of tests/reference/edges (written by its make_reference.R)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

EDGES = Path(__file__).parent / "reference" / "edges"


@cache
def _cases() -> dict[str, Any]:
    return json.loads((EDGES / "cases.json").read_text(encoding="utf-8"))


def edge_case(name: str) -> tuple[pl.DataFrame, dict[str, Any], list[str]]:
    """Return a case's data, R's output and R's warnings; the R call is the case's "call" in cases.json."""
    case = _cases()[name]
    data = pl.DataFrame(case.get("data", {}), strict=False)
    data = data.with_columns(pl.col(c).cast(pl.Float64) for c, t in data.schema.items() if t.is_integer())
    warned = case["warnings"]  # jsonlite writes a single warning as a string
    return data, case["output"], [warned] if isinstance(warned, str) else list(warned)


def read_edges_csv(name: str) -> pl.DataFrame:
    """Return an input or output CSV written by make_reference.R."""
    return pl.read_csv(EDGES / name, null_values="NA")
