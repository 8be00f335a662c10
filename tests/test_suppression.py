"""Small-cell suppression: nothing under the threshold is shown, and nothing hidden is recoverable."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import scipy.linalg
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from netpet.registry.suppression import (
    COMPLEMENTARY,
    PRIMARY,
    grid_lines,
    interval_exposed,
    suppress_grid,
    suppress_vector,
    suppressed_counts,
    suppressed_crosstab,
)
from tests.disclosure_checker import grid

# Small counts are frequent so that most tables need complementary suppression.
counts = st.one_of(st.integers(0, 6), st.integers(0, 60))
grids = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )
)


def determinable(full: np.ndarray, hidden: set[int]) -> list[int]:
    """Hidden entries whose value the shown entries and the margin equations fix exactly.

    Independent of the code under test: x_k is fixed iff every solution of the homogeneous system over the
    hidden entries has x_k = 0, i.e. the null space (scipy) has a zero k-th component.
    """
    width = full.shape[1]
    rows = []
    for i in range(full.shape[0]):
        row = np.zeros(full.size)
        row[[i * width + j for j in range(width - 1)]] = 1
        row[i * width + width - 1] = -1
        rows.append(row)
    for j in range(width):
        row = np.zeros(full.size)
        row[[i * width + j for i in range(full.shape[0] - 1)]] = 1
        row[(full.shape[0] - 1) * width + j] = -1
        rows.append(row)
    order = sorted(hidden)
    null = scipy.linalg.null_space(np.array(rows)[:, order])
    return [entry for k, entry in enumerate(order) if null.shape[1] == 0 or np.allclose(null[k], 0)]


def shown_values(full: np.ndarray, status: tuple) -> list[int]:
    return [int(v) for v, s in zip(full.ravel(), status, strict=True) if s is None]


@settings(max_examples=60, deadline=None)
@given(grids, st.integers(2, 11))
def test_grid_shows_no_count_under_the_threshold(cells, threshold):
    full, result = suppress_grid(cells, threshold)
    assert all(v == 0 or v >= threshold for v in shown_values(full, result.status))
    assert all(s == PRIMARY for v, s in zip(full.ravel(), result.status, strict=True) if 0 < v < threshold)


@settings(max_examples=60, deadline=None)
@given(grids, st.integers(2, 11))
def test_grid_every_line_with_a_hidden_entry_hides_at_least_two(cells, threshold):
    full, result = suppress_grid(cells, threshold)
    hidden = {i for i, s in enumerate(result.status) if s is not None}
    for members, total in grid_lines(len(cells), len(cells[0])):
        line_hidden = hidden & {*members, total}
        assert len(line_hidden) != 1, (full, result.status, members, total)


@settings(max_examples=60, deadline=None)
@given(grids, st.integers(2, 11))
def test_grid_no_hidden_count_follows_from_the_totals(cells, threshold):
    full, result = suppress_grid(cells, threshold)
    hidden = {i for i, s in enumerate(result.status) if s is not None}
    if hidden:
        assert determinable(full, hidden) == []


@settings(max_examples=40, deadline=None)
@given(grids, st.integers(2, 11))
def test_row_totals_first_hides_exactly_the_one_way_pattern_of_the_totals(cells, threshold):
    full, result = suppress_grid(cells, threshold, row_totals_first=True)
    width = full.shape[1]
    one_way = suppress_vector(full[:-1, -1].tolist(), threshold)
    hidden_totals = [result.status[i * width + width - 1] is not None for i in range(full.shape[0])]
    assert hidden_totals == [s is not None for s in one_way.status]
    hidden = {i for i, s in enumerate(result.status) if s is not None}
    if hidden:
        assert determinable(full, hidden) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8), st.integers(2, 11))
def test_vector_total_never_gives_away_a_single_hidden_count(values, threshold):
    result = suppress_vector(values, threshold)
    hidden = [i for i, s in enumerate(result.status) if s is not None]
    shown = [v for v, s in zip(result.values, result.status, strict=True) if s is None]
    assert all(v == 0 or v >= threshold for v in shown)
    assert len(hidden) != 1


def test_vector_hides_the_smallest_other_count_with_a_small_one():
    # 3 < 5 is hidden; the total 25 would give it away, so the smallest other count (10) is hidden too.
    result = suppress_vector([3, 10, 12], 5)
    assert [result.label(i) for i in range(4)] == ["*", "*", "12", "25"]
    assert result.status[1] == COMPLEMENTARY


def test_zero_counts_are_shown_and_need_no_protection():
    result = suppress_vector([0, 10, 12], 5)
    assert [result.label(i) for i in range(4)] == ["0", "10", "12", "22"]


def test_two_small_cells_in_a_grid_are_protected_by_a_rectangle():
    # Hand-worked: 3 at (0,0) and 2 at (2,1) are primary; hiding 10 at (0,1) and 40 at (2,0) closes
    # rows 0 and 2 and columns 0 and 1 with two hidden cells each, and the totals stay shown.
    full, result = suppress_grid([[3, 10, 20], [12, 15, 30], [40, 2, 9]], 5)
    hidden = {(i // 4, i % 4): s for i, s in enumerate(result.status) if s is not None}
    assert hidden == {(0, 0): PRIMARY, (0, 1): COMPLEMENTARY, (2, 0): COMPLEMENTARY, (2, 1): PRIMARY}
    assert full[3, 3] == 141


def test_a_small_total_is_hidden_with_its_cells():
    full, result = suppress_grid([[2, 1], [20, 30]], 5)
    assert result.label(2) == "*"  # the first row's total, 3
    assert determinable(full, {i for i, s in enumerate(result.status) if s}) == []


def test_crosstab_adds_totals_and_labels_suppressed_cells():
    frame = pl.DataFrame({"site": ["A", "B"], "P1": [3, 10], "P5": [12, 15]})
    table = suppressed_crosstab(frame, index="site", threshold=5)
    assert table.columns == ["site", "P1", "P5", "Total"]
    assert table["site"].to_list() == ["A", "B", "Total"]
    assert table.row(0) == ("A", "*", "*", "15")
    assert table.row(2) == ("Total", "13", "27", "40")


def test_counts_without_margins_only_hide_small_counts():
    frame = pl.DataFrame({"check": ["a", "b", "c"], "n": [3, 0, 12]})
    assert suppressed_counts(frame, count="n", threshold=5, total_label=None)["n"].to_list() == [
        "<5",
        "0",
        "12",
    ]
    table = suppressed_counts(frame, count="n", threshold=5)
    assert table["n"].to_list() == ["*", "0", "*", "15"]


@pytest.mark.parametrize("threshold", [5, 10])
def test_small_and_complementary_cells_look_the_same(threshold):
    result = suppress_vector([1, 50, 60], threshold)
    assert result.status[:2] == (PRIMARY, COMPLEMENTARY)
    assert result.label(0) == result.label(1) == "*"


def test_a_zero_beside_a_small_total_is_hidden():
    # Row 0 has 3 patients, none with the attribute: showing its 0 would tell that of each of them.
    _, result = suppress_grid([[0, 3], [20, 30]], 5)
    assert result.label(0) == "*"
    assert result.status[0] == COMPLEMENTARY


@settings(max_examples=40, deadline=None)
@given(grids, st.integers(2, 11))
def test_no_hidden_cell_of_a_crosstab_has_a_closed_range(cells, threshold):
    # The attacker's integer program (tests/disclosure_checker.py) over the table as published.
    frame = pl.DataFrame({"g": [f"r{i}" for i in range(len(cells))]} | {
        f"c{j}": [row[j] for row in cells] for j in range(len(cells[0]))
    })
    table = suppressed_crosstab(frame, index="g", threshold=threshold)
    truth = suppressed_crosstab(frame, index="g", threshold=1)
    ranges = grid(table, total_column="Total").ranges()
    for name, (low, high) in ranges.items():
        group, column = name.split("/")
        value = int(truth.filter(pl.col("g") == group)[column][0])
        assert low < high, (cells, threshold, name, value)
        if 0 < value < threshold:
            assert low == 0 or high >= threshold, (cells, threshold, name, low, high)


def test_forced_hidden_entries_get_complements_too():
    # Hiding 10 on request (e.g. a group of few patients) needs a second hidden count: the next smallest.
    result = suppress_vector([10, 20, 30], 5, hidden=[0])
    assert [result.label(i) for i in range(4)] == ["*", "*", "30", "60"]


def test_empty_tables_are_returned_as_they_are():
    assert suppress_vector([], 5, hidden=[0]).values == (0,)
    full, result = suppress_grid(np.zeros((0, 2), dtype=np.int64), 5)
    assert full.tolist() == [[0, 0, 0]]
    assert result.status == (None, None, None)


def exposed_one_program_per_bound(values: list[int], lines, hidden: list[int], threshold: int) -> list[int]:
    """The interval audit written plainly: the smallest and largest value of each hidden entry, one LP each."""
    a_eq = np.zeros((len(lines), len(hidden)))
    b_eq = np.zeros(len(lines))
    for row, (members, total) in enumerate(lines):
        for entry, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if entry in hidden:
                a_eq[row, hidden.index(entry)] += sign
            else:
                b_eq[row] -= sign * values[entry]
    exposed = []
    for k, entry in enumerate(hidden):
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(hidden))
            objective[k] = sign
            result = scipy.optimize.linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            bounds.append(np.inf if result.status == 3 else sign * result.fun)
        low, high = bounds
        small = 0 < values[entry] < threshold
        if np.floor(high + 1e-7) - np.ceil(low - 1e-7) < 1 or (small and low > 1e-7 and high < threshold - 1e-7):
            exposed.append(entry)
    return exposed


@settings(max_examples=60, deadline=None)
@given(grids, st.integers(2, 11), st.data())
def test_the_batched_interval_audit_decides_as_one_program_per_bound(cells, threshold, data):
    # Every bound is solved in blocks of one program; the decisions must be those of one program per bound.
    full = np.asarray(cells, dtype=np.int64)
    full = np.vstack([np.hstack([full, full.sum(1, keepdims=True)]), np.hstack([full.sum(0), full.sum()])])
    values = full.ravel().tolist()
    hidden = sorted(data.draw(st.sets(st.integers(0, len(values) - 1), min_size=1)))
    lines = grid_lines(len(cells), len(cells[0]))
    expected = exposed_one_program_per_bound(values, lines, hidden, threshold)
    assert sorted(interval_exposed(values, lines, hidden, threshold)) == expected
