"""No suppressed cell of a shareable table can be worked out from what the table publishes (integer programming).

The demo registry at 40, 200 and 1,000 patients is audited at the default threshold (5) and at 1 (nothing
hidden, the true counts); every table the audit writes is read back from its CSV file, and for every hidden
cell `tests/disclosure_checker.py` solves the smallest and largest whole number it can be. None may be
determined, and a small count's range must reach 0 or the threshold.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from netpet.analysis.outputs.audit_report import audit_report, write_audit
from netpet.analysis.outputs.audit_tables import FIELDS
from netpet.registry import Registry
from tests.disclosure_checker import SIZES, Published, count, demo_of_size, grid, vector, with_totals

THRESHOLD = 5
AS_OF = date(2026, 1, 1)

#: How each table the audit writes publishes its counts.
SHAPES = {
    "completeness_by_site": lambda t: with_totals(t, pairs=dict.fromkeys(FIELDS.values(), "patients")),
    "completeness_by_year": lambda t: with_totals(t, pairs=dict.fromkeys(FIELDS.values(), "patients")),
    "followup_by_site": lambda t: with_totals(t, pairs={"deaths": "patients"}),
    "practice_by_site": lambda t: with_totals(
        t, pairs={"PRRT after P1": "P1 patients", "PRRT after P5": "P5 patients"}
    ),
    "practice_by_group": lambda t: grid(t, total_column="timepoints"),
    "timeliness_by_site": lambda t: vector(t, column="scans"),
    "timeliness_by_year": lambda t: vector(t, column="scans"),
}


@pytest.fixture(scope="module", params=SIZES)
def audits(request: pytest.FixtureRequest, demo_registry: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo audit's folder at the threshold and at 1 (the true counts), for one registry size."""
    folder = tmp_path_factory.mktemp(f"demo{request.param}")
    path = demo_of_size(request.param, demo_registry, folder)
    out = {}
    with Registry.open(path, read_only=True) as reg:
        for threshold in (THRESHOLD, 1):
            report = audit_report(reg, as_of=AS_OF, threshold=threshold)
            write_audit(report, folder / f"audit{threshold}")
            out[threshold] = folder / f"audit{threshold}"
    return out


def true_counts(table: pl.DataFrame, published: Published) -> dict[str, int]:
    """The true value of every count `published` names, read from the unsuppressed table."""
    rows = {str(row[table.columns[0]]): row for row in table.iter_rows(named=True)}
    values = {}
    for name in published.names:
        group, column = name.split("/", 1)
        value = count(str(rows[group][column]))
        assert value is not None, name
        values[name] = value
    return values


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_no_hidden_cell_is_determined(audits: dict[int, Path], name: str) -> None:
    shown = pl.read_csv(audits[THRESHOLD] / f"{name}.csv", infer_schema=False)
    truth = pl.read_csv(audits[1] / f"{name}.csv", infer_schema=False)
    published = SHAPES[name](shown)
    actual = true_counts(truth, SHAPES[name](truth))
    for cell, (low, high) in published.ranges().items():
        assert low < high, f"{name}: {cell} is determined ({low}); it is {actual[cell]}"
        assert low <= actual[cell] <= high, (name, cell)
        if 0 < actual[cell] < THRESHOLD:
            assert low == 0 or high >= THRESHOLD, f"{name}: small {cell} confined to [{low}, {high}]"


def test_a_zero_beside_a_small_total_is_hidden(audits: dict[int, Path]) -> None:
    for name in ("completeness_by_site", "completeness_by_year", "followup_by_site"):
        shown = pl.read_csv(audits[THRESHOLD] / f"{name}.csv", infer_schema=False)
        for row in shown.filter(pl.col("patients") == "*").iter_rows(named=True):
            assert all(row[c] == "*" or count(row[c]) for c in shown.columns[2:]), (name, row)
