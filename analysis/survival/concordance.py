"""Harrell's concordance with its infinitesimal-jackknife standard error, as R's ``concordance()``.

A pair is comparable when the shorter time is an event and the other subject is still at risk then
(in the same stratum; a censored time equal to the event time counts as longer; tied event times are not
comparable). Ties in the predictor count one half. The SE is R's: the dfbeta of Somers' d per subject
(summed within clusters), var(C) = sum(dfbeta^2) / 4. lifelines' `concordance_index` gives no SE and
handles (entry, time] rows not at all, hence this module.

Pairs are counted without a loop: each count is a two-dimensional dominance count (time order x predictor
rank), answered with sorted dyadic blocks and binary search, O(n log^2 n); a million rows take seconds. With
few distinct predictor values (a scheme's levels: the bootstrap of `netpet validate` computes thousands of
these) the counts are read from a table of cumulative counts per rank instead, O(n x ranks), four times faster.
A query rank above every rank in a block would read into the next block's keys, so queries are clipped to
one past the largest rank (without it discordant counts went negative on some inputs). Rows are chosen by
R's rules (`netpet.analysis.survival.usable_rows`); tests/test_concordance_pairs.py proves the counts pair by pair.
"""

from __future__ import annotations

import numpy as np

from netpet.analysis.errors import AnalysisError
from netpet.analysis.survival.risksets import fix_times
from netpet.analysis.survival.usable_rows import check_event_codes, left_out_note, missing_rows


def _search(sorted_values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """np.searchsorted (side left) with the queries sorted first: ten times faster on large arrays."""
    order = np.argsort(queries)
    found = np.empty(queries.size, dtype=np.int64)
    found[order] = np.searchsorted(sorted_values, queries[order], side="left")
    return found


#: `_PairCounter` reads prefix counts from a table of cumulative counts (ranks x rows, int32) when there are
#: at most DENSE_RANKS ranks and the table holds at most DENSE_LIMIT cells (128 MB).
DENSE_RANKS = 32
DENSE_LIMIT = 1 << 25


class _PairCounter:
    """Count points with a_lo <= a < a_hi, and among them those with b < q or b == q, for many queries.

    `b` are integer ranks. "b < q" is a dominance count over sorted dyadic blocks of the a-order;
    "b == q" and the plain range count need one sorted array each.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        order = np.argsort(a, kind="stable")
        self.a_sorted = a[order]
        self.b = b[order].astype(np.int64)
        self.width = int(self.b.max()) + 2 if self.b.size else 1
        self.a_span = int(a.max()) + 2 if a.size else 1
        n = self.b.size
        # Few distinct ranks (a scheme's levels, a Cox predictor of a few indicators): every prefix count
        # "b < q" is read from one table of cumulative counts per rank, O(n x ranks) instead of O(n log^2 n).
        self.dense: np.ndarray | None = None
        if self.width <= DENSE_RANKS and self.width * (n + 1) <= DENSE_LIMIT:
            self.dense = np.zeros((self.width, n + 1), dtype=np.int32)
            np.cumsum(self.b[None, :] < np.arange(self.width)[:, None], axis=1, out=self.dense[:, 1:])
            return
        self.by_b = np.sort(self.b * self.a_span + self.a_sorted)
        self.sorted_b = np.sort(self.b)
        self.levels = []
        index = np.arange(n, dtype=np.int64)
        level = 0
        while (1 << level) <= max(n, 1):
            self.levels.append(np.sort((index >> level) * self.width + self.b))
            level += 1

    def _prefix(self, k: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Count among the first k points (in a order) those with b < q."""
        # A query above every b would spill into the next block's keys: any q > max(b) counts the same.
        q = np.minimum(q, self.width - 1)
        if self.dense is not None:
            return self.dense[q, k].astype(np.int64)
        total = np.zeros(k.size, dtype=np.int64)
        everything = k == self.b.size  # common (one stratum): a plain rank, no blocks needed
        if everything.any():
            total[everything] = _search(self.sorted_b, q[everything])
        for level, keys in enumerate(self.levels):
            has = ((k >> level) & 1).astype(bool) & ~everything
            if not has.any():
                continue
            block = (k[has] >> (level + 1)) << 1  # the block just below the prefix end at this level
            total[has] += _search(keys, block * self.width + q[has]) - (block << level)
        return total

    def count(self, a_lo: np.ndarray, a_hi: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, ...]:
        """Return (b < q, b == q, all) counts of the points with a_lo <= a < a_hi, per query."""
        lo, hi = _search(self.a_sorted, a_lo), _search(self.a_sorted, a_hi)
        below = self._prefix(hi, q) - self._prefix(lo, q)
        if self.dense is not None:
            equal = self._prefix(hi, q + 1) - self._prefix(lo, q + 1) - below
            return below, equal, hi - lo
        a_lo, a_hi = np.clip(a_lo, 0, self.a_span - 1), np.clip(a_hi, 0, self.a_span - 1)
        key = q * self.a_span
        equal = _search(self.by_b, key + a_hi) - _search(self.by_b, key + a_lo)
        return below, equal, hi - lo


def _pair_counts(
    entry: np.ndarray | None, time: np.ndarray, event: np.ndarray, rank: np.ndarray, stratum: np.ndarray
) -> np.ndarray:
    """Return per subject (n x 3) the comparable pairs it is in where the longer-lived member has the
    larger predictor (concordant), the smaller one (discordant), or an equal one (tied)."""
    values = time if entry is None else np.concatenate([entry, time])
    unique, inverse = np.unique(fix_times(values.astype(float)), return_inverse=True)
    time_rank = inverse[-time.size :].astype(np.int64)
    span = 2 * (unique.size + 1)
    base = stratum.astype(np.int64) * span
    # level: 2 x time rank, + 1 when censored, so that "longer than an event at t" is level > 2 t.
    level = base + 2 * time_rank + np.where(event, 0, 1)
    start = base if entry is None else base + 2 * inverse[: time.size].astype(np.int64) + 2
    dead = np.flatnonzero(event)
    death_level = base[dead] + 2 * time_rank[dead]
    end = base[dead] + span

    # Each death against everyone still at risk after it (not yet entered: subtracted).
    below, equal, total = _PairCounter(level, rank).count(death_level + 1, end, rank[dead])
    if entry is not None:
        late_below, late_equal, late_total = _PairCounter(start, rank).count(death_level + 2, end, rank[dead])
        below, equal, total = below - late_below, equal - late_equal, total - late_total
    counts = np.zeros((time.size, 3))
    counts[dead, 0] += total - below - equal
    counts[dead, 1] += below
    counts[dead, 2] += equal

    # Each subject against the earlier deaths it was at risk for.
    below, equal, total = _PairCounter(death_level, rank[dead]).count(start, level, rank)
    counts[:, 0] += below
    counts[:, 1] += total - below - equal
    counts[:, 2] += equal
    return counts


class Concordance(tuple[float, float]):
    """Harrell's C and its SE, unpacked as ``c, se = ...``; `notes` says which rows were left out and why."""

    notes: list[str]

    def __new__(cls, concordance: float, se: float, notes: list[str] | None = None) -> Concordance:
        result = super().__new__(cls, (concordance, se))
        result.notes = list(notes or [])
        return result

    @property
    def concordance(self) -> float:
        return self[0]

    @property
    def se(self) -> float:
        return self[1]


def concordance_index(
    time: np.ndarray,
    event: np.ndarray,
    predictor: np.ndarray,
    strata: np.ndarray | None = None,
    *,
    entry: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    reverse: bool = False,
) -> Concordance:
    """Return Harrell's C and its standard error, as R's ``concordance(Surv(time, event) ~ predictor)``.

    Rows with a missing value in any argument are left out, as R's na.omit, and so are (entry, time]
    rows with entry >= time (R's Surv makes them NA); both are counted in the result's `notes`.

    Parameters
    ----------
    time, event, predictor : array-like
        Follow-up time, 1 for an event (0/1 or booleans only), and the predictor (larger = longer survival
        unless `reverse`).
    strata : array-like, optional
        Pairs are compared only within a stratum; counts are then summed.
    entry : array-like, optional
        Entry times for (entry, time] rows, as ``Surv(entry, time, event)``.
    cluster : array-like, optional
        Sum the influence within clusters before the variance, as R's ``cluster =``.
    reverse : bool
        Larger predictor = shorter survival (a risk score, such as a Cox linear predictor).

    Returns
    -------
    Concordance
        (C, SE): the concordance and its infinitesimal-jackknife standard error (NaN without comparable
        pairs), with `notes`.

    Raises
    ------
    AnalysisError
        Fewer than two rows left, where R's ``concordance`` stops too.
    """
    time = np.asarray(time, dtype=float)
    event_values = np.asarray(event, dtype=float)
    check_event_codes(event_values)
    predictor = np.asarray(predictor, dtype=float)
    entry = None if entry is None else np.asarray(entry, dtype=float)
    drop = missing_rows(time, event_values, predictor, strata, entry, cluster)
    notes = [left_out_note(int(drop.sum()), "with missing values")] if drop.any() else []
    if entry is not None:
        empty = ~drop & (entry >= time)
        if empty.any():
            notes.append(left_out_note(int(empty.sum()), "with entry not before time (R's Surv makes them NA)"))
            drop |= empty
    keep = ~drop
    if keep.sum() < 2:  # R's concordancefit stops too ("'x' must be an array of at least two dimensions")
        raise AnalysisError(f"a concordance compares pairs of rows: {int(keep.sum())} row(s) left to compare")
    time, event_bool, predictor = time[keep], event_values[keep] == 1, predictor[keep]
    entry = None if entry is None else entry[keep]
    rank = np.unique(predictor, return_inverse=True)[1].astype(np.int64)
    stratum = (
        np.zeros(time.size, dtype=np.int64) if strata is None
        else np.unique(np.asarray(strata)[keep], return_inverse=True)[1]
    )
    counts = _pair_counts(entry, time, event_bool, rank, stratum)
    # Every comparable pair is counted twice above, once for each member.
    concordant, discordant, tied = counts.sum(axis=0) / 2
    pairs = concordant + discordant + tied
    if pairs == 0:
        return Concordance(float("nan"), float("nan"), notes)
    somers = (concordant - discordant) / pairs
    dfbeta = (counts[:, 0] - counts[:, 1]) / pairs - somers / pairs * counts.sum(axis=1)
    if cluster is not None:
        codes = np.unique(np.asarray(cluster)[keep], return_inverse=True)[1]
        dfbeta = np.bincount(codes, weights=dfbeta)
    c = float((somers + 1) / 2)
    return Concordance(1 - c if reverse else c, float(np.sqrt(np.sum(dfbeta**2) / 4)), notes)

