"""Readers for the R reference values in tests/reference/km (written by make_reference.R)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest

REFERENCE = Path(__file__).parent / "reference" / "km"
CASES = (
    "veteran_celltype", "lung_sex", "lung_ecog", "colon_rx", "rossi_fin", "lung_months", "lung_entry",
    "small_entry", "edge",
)
CONF_TYPES = ("log", "log-log", "plain", "logit", "arcsin")
#: The times make_reference.R passes to summary(fit, times =) for each case.
AT_TIMES = {
    "veteran_celltype": [30, 90, 180, 365],
    "lung_sex": [180, 365, 730],
    "lung_ecog": [100, 200, 300],
    "colon_rx": [365, 1095, 1826],
    "rossi_fin": [10, 26, 52],
    "lung_months": [6, 12, 24],
    "lung_entry": [180, 365, 730],
    "small_entry": [2, 5, 10],
    "edge": [0, 1, 2.5, 5, 100],
}


@cache
def reference_csv(name: str) -> pl.DataFrame:
    """An R-written CSV (NA as null, numbers with 17 significant digits), groups as strings."""
    frame = pl.read_csv(REFERENCE / f"{name}.csv", null_values=["NA"], infer_schema_length=None)
    return frame.with_columns(pl.col("group").cast(pl.String)) if "group" in frame.columns else frame


def case_data(case: str) -> pl.DataFrame:
    """The input rows R analysed for `case` (time, event, group, and entry/stratum where used)."""
    return reference_csv(case)


@cache
def reference_tests() -> dict[str, Any]:
    """survdiff / coxph score tests / pairwise results from tests.json."""
    return json.loads((REFERENCE / "tests.json").read_text(encoding="utf-8"))


def assert_columns_match(actual: pl.DataFrame, expected: pl.DataFrame, columns: list[str]) -> None:
    """Assert equal row counts and every value equal to rel=1e-6, with R's NA/NaN matching null."""
    assert actual.height == expected.height
    for column in columns:
        ours = [None if v is not None and math.isnan(v) else v for v in actual[column].cast(pl.Float64)]
        theirs = expected[column].cast(pl.Float64).to_list()
        assert [v is None for v in ours] == [v is None for v in theirs], column
        pairs = [(a, b) for a, b in zip(ours, theirs, strict=True) if a is not None]
        assert [a for a, _ in pairs] == pytest.approx([b for _, b in pairs], rel=1e-6, abs=1e-12), column
