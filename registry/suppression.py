"""Small-cell suppression of count tables: primary suppression, disclosive zeros, complementary suppression.

Every count from 1 to `threshold - 1` is hidden (primary suppression); so is a zero in a line whose total is
hidden as small, since "none of the 3 patients diagnosed in 2009 has a Ki-67" discloses an attribute of each.
Then further cells are hidden (complementary suppression) until no hidden count can be worked out from what
the table publishes. Every hidden entry shows the same (`*`), so that a reader cannot tell a small count from
a complementary one. A zero in a line whose total is shown identifies nobody and stays shown.

The style guide puts suppression in `registry/export.py`; it lives in its own module instead because the
audit report, the de-identified export and federated queries all need the same rule, and none of them
should import another for it.

A table is a set of entries (cells and totals) and linear lines, each saying "these entries sum to that
total". The method is an LP-checked greedy, the audit-and-extend scheme of τ-ARGUS's and sdcTable's
secondary suppression in its simplest form: hide a cell in every line left with one hidden entry (cheapest
first: cells before totals, small counts before large), then audit the pattern as an attacker would and
extend it until the audit passes. The audit solves, for every hidden entry, the smallest and largest value it
can take given the shown entries, the lines and non-negativity (`scipy.optimize.linprog`, many bounds per
program as independent blocks; interval disclosure, which a rank test alone misses); the pattern is safe
when no hidden entry is confined to a single whole number and every small count could be 0 or could reach the
threshold. Linked tables that share totals are made consistent by their callers (`hidden`, `protected`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

PRIMARY = "primary"
COMPLEMENTARY = "complementary"
#: What a hidden entry shows, small or complementary alike.
HIDDEN = "*"
#: Tolerance of the interval audit's linear programs.
_EPS = 1e-7


def is_small(count: int, threshold: int) -> bool:
    """The primary rule: a count from 1 to `threshold - 1` is hidden (0 identifies nobody by itself)."""
    return 0 < count < threshold


@dataclass(frozen=True)
class Suppressed:
    """The outcome of suppressing one table: per entry, None (shown), `primary` or `complementary`."""

    values: tuple[int, ...]
    status: tuple[str | None, ...]

    def label(self, index: int) -> str:
        """Return what the report shows for entry `index`: the count, or `*` when it is hidden."""
        return HIDDEN if self.status[index] is not None else str(self.values[index])


def _line_matrix(n_entries: int, lines: Sequence[tuple[Sequence[int], int]]) -> np.ndarray:
    matrix = np.zeros((len(lines), n_entries))
    for row, (members, total) in enumerate(lines):
        matrix[row, list(members)] = 1.0
        matrix[row, total] = -1.0
    return matrix


def recoverable_entries(
    n_entries: int, lines: Sequence[tuple[Sequence[int], int]], hidden: Sequence[int]
) -> list[int]:
    """Return the hidden entries whose value follows exactly from the shown entries and the lines.

    Parameters
    ----------
    n_entries
        Number of entries (cells and totals) in the table.
    lines
        `(members, total)` pairs: the entries `members` sum to entry `total`.
    hidden
        The indices of hidden entries.

    Returns
    -------
    list[int]
        Hidden entries that can be recovered; empty when the suppression is safe.
    """
    hidden = sorted(set(hidden))
    if not hidden or not lines:
        return []
    restricted = _line_matrix(n_entries, lines)[:, hidden]
    full_rank = np.linalg.matrix_rank(restricted)
    return [
        entry
        for k, entry in enumerate(hidden)
        if np.linalg.matrix_rank(np.delete(restricted, k, axis=1)) < full_rank
    ]


def interval_exposed(
    values: Sequence[int], lines: Sequence[tuple[Sequence[int], int]], hidden: Sequence[int], threshold: int
) -> list[int]:
    """Return the hidden entries an attacker pins down from the shown entries, the lines and non-negativity.

    An entry is exposed when its feasible range holds a single whole number, or when it is a small count
    (1 to `threshold - 1`) whose range reaches neither 0 nor `threshold`. Linked tables re-suppress the same
    table until their shared totals agree, so results are cached by the table's content.
    """
    key_lines = tuple((tuple(int(m) for m in members), int(total)) for members, total in lines)
    return list(_interval_exposed(tuple(int(v) for v in values), key_lines, tuple(sorted(set(hidden))), threshold))


@cache
def _interval_exposed(
    values: tuple[int, ...], lines: tuple[tuple[tuple[int, ...], int], ...], hidden: tuple[int, ...], threshold: int
) -> tuple[int, ...]:
    if not hidden:
        return ()
    column = {entry: k for k, entry in enumerate(hidden)}
    rows, rhs = [], []
    for members, total in lines:
        row, constant = np.zeros(len(hidden)), 0.0
        for entry, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if entry in column:
                row[column[entry]] += sign
            else:
                constant -= sign * values[entry]
        if row.any():
            rows.append(row)
            rhs.append(constant)
    a_eq, b_eq = np.array(rows).reshape(-1, len(hidden)), np.array(rhs)
    truth = np.array([values[entry] for entry in hidden])
    return tuple(hidden[k] for k in _exposed_variables(a_eq, b_eq, truth, threshold))


def _exposed_variables(a_eq: np.ndarray, b_eq: np.ndarray, truth: np.ndarray, threshold: int) -> list[int]:
    """Return the variables an attacker pins down; each bound is solved only for the variables it decides.

    The true table is a solution, so every range holds the true value: a whole number below it already shows an
    entry is not determined, and a small one whose range reaches 0 is protected. The upper bounds are capped
    above every value that could change a decision (the threshold and the true value plus one), which keeps
    each program bounded without changing what it decides.
    """
    small = np.array([is_small(int(v), threshold) for v in truth], dtype=bool)
    low = np.zeros(len(truth))
    positive = np.flatnonzero(truth > 0)
    low[positive] = _bounds(a_eq, b_eq, positive, 1.0, np.inf)
    reaches_zero = low <= _EPS
    below = np.ceil(low - _EPS) <= truth - 1
    undecided = np.flatnonzero(~(below & (reaches_zero | ~small)))
    cap = float(truth.max()) + threshold + 2
    high = np.full(len(truth), cap)
    high[undecided] = _bounds(a_eq, b_eq, undecided, -1.0, cap)
    determined = np.floor(high + _EPS) - np.ceil(low - _EPS) < 1
    exposed = determined | (small & ~reaches_zero & (high < threshold - _EPS))
    return [int(k) for k in undecided if exposed[k]]


#: Variables whose bound one linear program solves at once (as independent blocks of one program).
_BLOCKS_PER_PROGRAM = 64


def _bounds(a_eq: np.ndarray, b_eq: np.ndarray, ks: np.ndarray, sign: float, cap: float) -> np.ndarray:
    """Return the smallest (`sign` 1) or largest (-1) value of each variable in `ks` over `a_eq x = b_eq`,
    `0 <= x <= cap`.

    One program per variable would spend most of its time in scipy's per-call overhead; instead each program
    holds up to `_BLOCKS_PER_PROGRAM` independent copies of the constraints, copy `i` optimising variable
    `ks[i]`. The copies share no variable, so the optimum of the whole is the optimum of each copy.
    """
    from scipy.optimize import linprog  # only when hidden cells need checking; scipy.optimize costs 0.5 s to import
    from scipy.sparse import csr_array, identity, kron

    n = a_eq.shape[1]
    found = np.empty(len(ks))
    for start in range(0, len(ks), _BLOCKS_PER_PROGRAM):
        chunk = ks[start:start + _BLOCKS_PER_PROGRAM]
        copies = len(chunk)
        objective = np.zeros(copies * n)
        objective[np.arange(copies) * n + chunk] = sign
        args = {"A_eq": kron(identity(copies), csr_array(a_eq), format="csr"), "b_eq": np.tile(b_eq, copies)}
        result = linprog(objective, bounds=(0, cap), method="highs", **(args if a_eq.size else {}))
        if result.status != 0:  # the true table is feasible and every bound is finite: a solver failure
            raise RuntimeError(f"the suppression audit's linear program failed: {result.message}")
        found[start:start + copies] = result.x.reshape(copies, n)[np.arange(copies), chunk]
    return found


def _lone_hidden_lines(
    lines: Sequence[tuple[Sequence[int], int]], status: list[str | None]
) -> list[list[int]]:
    """Return the lines (as entry lists) holding exactly one hidden entry: each gives that entry away."""
    entries = [[*members, total] for members, total in lines]
    return [line for line in entries if sum(status[i] is not None for i in line) == 1]


def _pick_complement(
    values: Sequence[int],
    lines: Sequence[tuple[Sequence[int], int]],
    status: list[str | None],
    line: Sequence[int],
    totals: set[int],
    protected: set[int],
) -> int | None:
    """Pick the shown entry of `line` to hide next.

    Prefer cells that also protect another exposed line (pairing up hidden cells), then cells over totals,
    then small non-zero counts: the usual heuristic for hiding little information.
    """
    lone = _lone_hidden_lines(lines, status)
    candidates = [i for i in line if status[i] is None and i not in protected]
    if not candidates:
        return None

    def cost(i: int) -> tuple[bool, int, bool, int, int]:
        helps = sum(i in other for other in lone if other is not line)
        return (i in totals, -helps, values[i] == 0, values[i], i)

    return min(candidates, key=cost)


def _first_hidden(
    values: Sequence[int], lines: Sequence[tuple[Sequence[int], int]], threshold: int, hidden: Sequence[int]
) -> list[str | None]:
    """Return the status before complements: small counts, entries hidden on request, zeros beside a hidden total.

    A zero beside a small total tells that every one of those few people lacks the attribute. A zero that also
    lies in a line whose shown total is 0 stays shown: that line gives it away whatever is hidden, and it is
    about nobody (hiding it would only force the shown zero total to be hidden too).
    """
    status: list[str | None] = [PRIMARY if is_small(int(v), threshold) else None for v in values]
    for index in hidden:
        status[index] = status[index] or COMPLEMENTARY
    empty = {m for members, total in lines if int(values[total]) == 0 and status[total] is None for m in members}
    for members, total in lines:
        if status[total] is not None:
            for m in members:
                if int(values[m]) == 0 and m not in empty:
                    status[m] = status[m] or COMPLEMENTARY
    return status


def suppress_lines(
    values: Sequence[int],
    lines: Sequence[tuple[Sequence[int], int]],
    threshold: int,
    *,
    hidden: Sequence[int] = (),
    protected: Sequence[int] = (),
) -> Suppressed:
    """Suppress a table given as entries and lines, so that no hidden count is recoverable.

    Parameters
    ----------
    values
        The counts of every entry (cells and totals).
    lines
        `(members, total)` pairs: `sum(values[m] for m in members) == values[total]`.
    threshold
        Counts from 1 to `threshold - 1` are hidden.
    hidden
        Entries to hide whatever their count (as complementary): e.g. totals another table has hidden.
    protected
        Entries never chosen as complementary cells (e.g. totals other tables show), unless nothing else
        can protect a hidden count.

    Returns
    -------
    Suppressed
        Per entry: shown, primary or complementary.
    """
    status = _first_hidden(values, lines, threshold, hidden)
    totals = {total for _, total in lines}
    keep = set(protected)
    entries = [[*members, total] for members, total in lines]
    while True:
        lone = _lone_hidden_lines(lines, status)
        if not lone:
            hidden = [i for i, s in enumerate(status) if s is not None]
            exposed = set(recoverable_entries(len(values), lines, hidden))
            exposed = exposed or set(interval_exposed(values, lines, hidden, threshold))
            if not exposed:
                return Suppressed(tuple(int(v) for v in values), tuple(status))
            # No single line gives a count away, but several together (or with non-negativity) do: widen one
            # of their lines.
            lone = [line for line in entries if exposed & set(line)]
        picks = (_pick_complement(values, lines, status, line, totals, keep) for line in lone)
        pick = next((p for p in picks if p is not None), None)
        if pick is None and keep:  # only protected entries are left to hide: give up protecting them
            keep = set()
        elif pick is None and all(s is not None for s in status):  # nothing left to hide
            return Suppressed(tuple(int(v) for v in values), tuple(status))
        elif pick is None:  # every entry sharing a line is hidden already: hide everything left
            status = [s or COMPLEMENTARY for s in status]
        else:
            status[pick] = COMPLEMENTARY


def grid_lines(n_rows: int, n_cols: int) -> list[tuple[list[int], int]]:
    """Return the lines of an `n_rows x n_cols` table laid out with a totals column and a totals row.

    Entry `(i, j)` has index `i * (n_cols + 1) + j`; row `n_rows` holds the column totals and column
    `n_cols` the row totals, so the last entry is the grand total.
    """
    width = n_cols + 1
    lines = [([i * width + j for j in range(n_cols)], i * width + n_cols) for i in range(n_rows + 1)]
    lines += [([i * width + j for i in range(n_rows)], n_rows * width + j) for j in range(n_cols + 1)]
    return lines


def suppress_grid(
    counts: np.ndarray | Sequence[Sequence[int]],
    threshold: int,
    *,
    row_totals_first: bool = False,
    hidden: Sequence[tuple[int, int]] = (),
) -> tuple[np.ndarray, Suppressed]:
    """Suppress a two-way count table together with its row, column and grand totals.

    Parameters
    ----------
    counts
        Interior counts, shape `(rows, cols)`.
    threshold
        Counts from 1 to `threshold - 1` are hidden.
    row_totals_first
        Suppress the row totals and grand total first as a one-way table, then never hide more of them.
        Tables that share those totals (patients per site) then all show and hide the same ones, so no
        table gives away a total another hides; only the cells and column totals absorb complements.
    hidden
        `(row, col)` entries to hide whatever their count, e.g. a column total another table hides; with
        `row_totals_first`, a row total (the grand total included) is hidden in that first suppression too.

    Returns
    -------
    tuple[np.ndarray, Suppressed]
        The table with margins, shape `(rows + 1, cols + 1)`, and its suppression (entries row-major).
    """
    cells = np.asarray(counts, dtype=np.int64)
    if cells.ndim != 2:  # a list of rows, possibly empty
        cells = cells.reshape(len(cells), -1) if cells.size else np.zeros((len(cells), 0), dtype=np.int64)
    full = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1), dtype=np.int64)
    full[:-1, :-1] = cells
    full[:-1, -1] = cells.sum(axis=1)
    full[-1, :] = full[:-1, :].sum(axis=0)
    width = cells.shape[1] + 1
    forced = [i * width + j for i, j in hidden]
    protected: list[int] = []
    if row_totals_first:  # row totals hidden on request are hidden in the margin's own suppression too
        margin = suppress_vector(full[:-1, -1].tolist(), threshold,
                                 hidden=[i for i, j in hidden if j == cells.shape[1]])
        row_totals = [i * width + width - 1 for i in range(full.shape[0])]
        forced += [index for index, status in zip(row_totals, margin.status, strict=True) if status]
        protected = row_totals
    return full, suppress_lines(
        full.ravel().tolist(), grid_lines(*cells.shape), threshold, hidden=forced, protected=protected
    )


def suppress_vector(counts: Sequence[int], threshold: int, *, hidden: Sequence[int] = ()) -> Suppressed:
    """Suppress a one-way count table and its total (the total is the last entry of the result).

    `hidden` lists entries to hide whatever their count (e.g. groups of fewer than `threshold` patients
    whose count is of scans).
    """
    values = [int(c) for c in counts]
    return suppress_lines(
        [*values, sum(values)], [(list(range(len(values))), len(values))], threshold, hidden=hidden
    )


def suppressed_crosstab(
    frame: pl.DataFrame, *, index: str, threshold: int, total_label: str = "Total"
) -> pl.DataFrame:
    """Return a wide count table as text with totals added and small cells suppressed.

    Parameters
    ----------
    frame
        One label column `index` and one integer column per category.
    index
        The label column.
    threshold
        Counts from 1 to `threshold - 1` and complementary cells show as `*`.
    total_label
        Label of the totals row and column.

    Returns
    -------
    pl.DataFrame
        All columns as strings, with a totals column and a totals row.
    """
    columns = [c for c in frame.columns if c != index]
    counts = (
        frame.select(columns).to_numpy().astype(np.int64) if frame.height else np.zeros((0, len(columns)))
    )
    full, result = suppress_grid(counts, threshold)
    width = len(columns) + 1
    labels = [*[str(v) for v in frame[index].to_list()], total_label]
    data: dict[str, list[str]] = {index: labels}
    for j, name in enumerate([*columns, total_label]):
        data[name] = [result.label(i * width + j) for i in range(full.shape[0])]
    return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


def suppressed_counts(
    frame: pl.DataFrame, *, count: str, threshold: int, total_label: str | None = "Total"
) -> pl.DataFrame:
    """Return a one-way count table with its `count` column as suppressed text, plus a totals row.

    With `total_label=None` the counts are not additive (e.g. patients per check) and only primary
    suppression applies; no totals row is added.
    """
    values = frame[count].cast(pl.Int64).to_list()
    labels_cols = [c for c in frame.columns if c != count]
    if total_label is None:
        shown = [f"<{threshold}" if is_small(v, threshold) else str(v) for v in values]
        return frame.with_columns(pl.Series(count, shown, dtype=pl.String))
    result = suppress_vector(values, threshold)
    shown = [result.label(i) for i in range(len(values) + 1)]
    total_row = {c: (total_label if k == 0 else "") for k, c in enumerate(labels_cols)}
    body = frame.with_columns(pl.col(c).cast(pl.String) for c in labels_cols)
    body = pl.concat(
        [body.drop(count), pl.DataFrame([total_row], schema=dict.fromkeys(labels_cols, pl.String))]
    )
    return body.with_columns(pl.Series(count, shown, dtype=pl.String)).select(frame.columns)
