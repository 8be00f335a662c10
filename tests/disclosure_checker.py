"""An attacker's view of a published count table: each hidden cell's feasible range, by integer programming.

Independent of `netpet.registry.suppression`: the tables are read back from the CSV files as published, their
linear relations are stated here from what the files show (row and column totals, each group's patients
beside the patients with an attribute), and `scipy.optimize.milp` finds the smallest and largest whole number
every hidden cell (`*`) can be given every shown count. A cell is determined when the two are equal. A cell
shown as `<5` tells the attacker it is 1 to 4, and the checker uses that too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, milp

HIDDEN = "*"
#: Demo registry sizes every shareable output is attacked at.
SIZES = (40, 200, 1000)


def demo_of_size(size: int, default: Path, folder: Path) -> Path:
    """The demo registry of `size` patients: the session's 1,000-patient one, else built in `folder` (seed 7)."""
    if size == 1000:
        return default
    from netpet.registry.demo import build_demo_registry

    path = folder / "demo.duckdb"
    build_demo_registry(path, folder / "data", patients=size, seed=7)
    return path


def count(text: str) -> int | None:
    """The count a published cell shows (`12`, `12 (40%)`), or None when it is hidden."""
    if text == HIDDEN:
        return None
    match = re.fullmatch(r"(\d+)( \(.*\))?", text)
    assert match, f"unexpected cell {text!r}"
    return int(match.group(1))


@dataclass
class Published:
    """Variables (one per published count), which are known, and the linear relations between them."""

    names: list[str] = field(default_factory=list)
    known: dict[int, int] = field(default_factory=dict)
    below: dict[int, int] = field(default_factory=dict)  # x[k] < bound, from a `<bound` label
    equalities: list[dict[int, float]] = field(default_factory=list)  # sum(coef * x) == 0
    at_most: list[tuple[int, int]] = field(default_factory=list)  # x[a] <= x[b]

    def add(self, name: str, text: str) -> int:
        self.names.append(name)
        if text.startswith("<"):
            self.below[len(self.names) - 1] = int(text[1:])
            return len(self.names) - 1
        value = count(text)
        if value is not None:
            self.known[len(self.names) - 1] = value
        return len(self.names) - 1

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Return every hidden variable's (min, max) over the whole numbers the relations allow."""
        n = len(self.names)
        rows = []
        for relation in self.equalities:
            row = np.zeros(n)
            for k, coefficient in relation.items():
                row[k] += coefficient
            rows.append((row, 0.0, 0.0))
        for small, large in self.at_most:
            row = np.zeros(n)
            row[small], row[large] = 1.0, -1.0
            rows.append((row, -np.inf, 0.0))
        low = np.array([self.known.get(k, 1 if k in self.below else 0) for k in range(n)], dtype=float)
        high = np.array([self.known.get(k, self.below.get(k, np.inf) - 1) for k in range(n)], dtype=float)
        constraints = [LinearConstraint(np.array([r for r, _, _ in rows]), [lo for _, lo, _ in rows],
                                        [hi for _, _, hi in rows])] if rows else []
        out = {}
        for k in range(n):
            if k in self.known:
                continue
            objective = np.zeros(n)
            objective[k] = 1.0
            options = {"constraints": constraints, "integrality": np.ones(n), "bounds": Bounds(low, high)}
            smallest = milp(objective, **options)
            assert smallest.status == 0, (self.names[k], smallest.message)  # the true table is a solution
            largest = milp(-objective, **options)  # not solved: unbounded above
            out[self.names[k]] = (smallest.fun, -largest.fun if largest.status == 0 else np.inf)
        return out


def grid(table: pl.DataFrame, *, total_column: str, total_row: str = "Total") -> Published:
    """A cells x classes table with a row-total column and a totals row: rows and columns add up."""
    published = Published()
    label = table.columns[0]
    classes = [c for c in table.columns[1:] if c != total_column]
    index = {}
    for row in table.iter_rows(named=True):
        for column in [*classes, total_column]:
            index[row[label], column] = published.add(f"{row[label]}/{column}", row[column])
    groups = [g for g in table[label].to_list() if g != total_row]
    for g in [*groups, total_row]:
        published.equalities.append({**{index[g, c]: 1.0 for c in classes}, index[g, total_column]: -1.0})
    for c in [*classes, total_column]:
        published.equalities.append({**{index[g, c]: 1.0 for g in groups}, index[total_row, c]: -1.0})
    return published


def with_totals(table: pl.DataFrame, *, pairs: dict[str, str], total_row: str = "Total") -> Published:
    """Per group, counts with an attribute beside the group's patients: each column adds up to its total
    row, and no count exceeds its group's patients."""
    published = Published()
    label = table.columns[0]
    index = {}
    for row in table.iter_rows(named=True):
        for column in {*pairs, *pairs.values()}:
            index[row[label], column] = published.add(f"{row[label]}/{column}", row[column])
    groups = [g for g in table[label].to_list() if g != total_row]
    for column in {*pairs, *pairs.values()}:
        published.equalities.append({**{index[g, column]: 1.0 for g in groups}, index[total_row, column]: -1.0})
    for part, whole in pairs.items():
        for g in [*groups, total_row]:
            published.at_most.append((index[g, part], index[g, whole]))
    return published


def vector(table: pl.DataFrame, *, column: str, total_row: str = "Total") -> Published:
    """One count per group and their total."""
    published = Published()
    label = table.columns[0]
    index = {row[label]: published.add(f"{row[label]}/{column}", row[column]) for row in table.iter_rows(named=True)}
    published.equalities.append({**{k: 1.0 for g, k in index.items() if g != total_row}, index[total_row]: -1.0})
    return published
