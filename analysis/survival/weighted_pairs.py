"""Per-subject weighted counts of comparable pairs, the raw material of every concordance in the package.

R's ``concordancefit`` gives each comparable pair (an event at t, a subject still at risk after t) the weight
of its event time (1 for Harrell's C, 1/G(t-)^2 for Uno's), and adds that weight to both members' rows of
its influence matrix (concordant, discordant, tied on the predictor). The IJ variance and the joint
covariance of several concordances come from those rows. `netpet.analysis.survival.concordance` counts unit-weight pairs
only; this module carries a weight per event time, with the same (entry, time] rules and R's `timefix`.

Each count is a weighted two-dimensional dominance sum (time order x predictor rank), answered with
sorted dyadic blocks, prefix sums of the weights and binary search: O(n log^2 n), no loop over subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netpet.analysis.survival.risksets import fix_times


class _DominanceSums:
    """Sum the weights of points with a < a_q and b < b_q, for many queries (b: integer ranks >= 0)."""

    def __init__(self, a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> None:
        order = np.argsort(a, kind="stable")
        self.a_sorted = a[order]
        b, weight = b[order].astype(np.int64), weight[order].astype(float)
        self.width = int(b.max()) + 2 if b.size else 1
        index = np.arange(b.size, dtype=np.int64)
        self.levels: list[tuple[np.ndarray, np.ndarray]] = []
        level = 0
        while (1 << level) <= max(b.size, 1):
            keys = (index >> level) * self.width + b
            block_order = np.argsort(keys, kind="stable")
            self.levels.append((keys[block_order], np.concatenate([[0.0], np.cumsum(weight[block_order])])))
            level += 1

    def below(self, a_q: np.ndarray, b_q: np.ndarray) -> np.ndarray:
        """Return, per query, the weight of the points with a < a_q and b < b_q."""
        k = np.searchsorted(self.a_sorted, a_q, side="left")  # the points with a < a_q form a prefix
        total = np.zeros(k.size)
        b_q = np.minimum(b_q, self.width - 1)
        for level, (keys, cumulative) in enumerate(self.levels):
            has = ((k >> level) & 1).astype(bool)
            if not has.any():
                continue
            block = (k[has] >> (level + 1)) << 1  # the whole block of 2^level points just below the prefix end
            position = np.searchsorted(keys, block * self.width + b_q[has], side="left")
            total[has] += cumulative[position] - cumulative[block << level]
        return total

    def split(self, a_q: np.ndarray, b_q: np.ndarray) -> np.ndarray:
        """Return (n x 3) weights of the points with a < a_q and b < b_q, b == b_q, b > b_q."""
        less = self.below(a_q, b_q)
        upto = self.below(a_q, b_q + 1)
        everything = self.below(a_q, np.full(b_q.size, self.width - 1))
        return np.column_stack([less, upto - less, everything - upto])


@dataclass(frozen=True)
class PairCounts:
    """Weighted comparable pairs: per-subject rows (concordant, discordant, tied predictor) and totals.

    Concordant: the member who lives longer has the larger predictor (R's convention before `reverse`).
    `tied_time` are pairs of events at the same time with different predictors, `tied_both` with equal
    ones (R's tied.y and tied.xy); neither is comparable.
    """

    rows: np.ndarray
    tied_time: float
    tied_both: float

    @property
    def totals(self) -> np.ndarray:
        """Return (concordant, discordant, tied predictor) summed over pairs (each pair is in two rows)."""
        return self.rows.sum(axis=0) / 2


def _tied_time_pairs(event_level: np.ndarray, rank: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """Return the weighted pairs of events at the same time: all of them, and those also tied on rank."""
    def pairs(keys: np.ndarray) -> float:
        _, first, size = np.unique(keys, return_index=True, return_counts=True)
        return float(np.sum(weight[first] * size * (size - 1) / 2))

    same_time = pairs(event_level)
    same_both = pairs(event_level * (int(rank.max()) + 1) + rank) if rank.size else 0.0
    return same_time - same_both, same_both


def weighted_pair_counts(
    time: np.ndarray, event: np.ndarray, rank: np.ndarray, weight: np.ndarray, *, entry: np.ndarray | None = None
) -> PairCounts:
    """Count comparable pairs per subject, each weighted by `weight` of its event member.

    `rank` are integer ranks of the predictor; `weight` is read at the events only (the weight of their
    event time). A pair is comparable when the earlier time is an event and the other subject is at risk
    then: a censored time equal to the event time counts as longer; with `entry`, the other subject must
    have entered before the event time.
    """
    n = time.size
    values = time if entry is None else np.concatenate([entry, time])
    inverse = np.unique(fix_times(values.astype(float)), return_inverse=True)[1].astype(np.int64)
    time_rank = inverse[-n:]
    # level: 2 x time rank, + 1 when censored, so that "longer than an event at t" is level > 2 t.
    level = 2 * time_rank + np.where(event, 0, 1)
    dead = np.flatnonzero(event)
    death_level, death_weight = level[dead], weight[dead].astype(float)
    rows = np.zeros((n, 3))
    if dead.size == 0:
        return PairCounts(rows, 0.0, 0.0)

    # Each event against everyone at risk after it: larger rank of the survivor = concordant.
    everyone = _DominanceSums(-level, rank, np.ones(n))
    split = everyone.split(-death_level, rank[dead])
    if entry is not None:  # not yet entered at the event time: entry rank >= the event's time rank
        start = 2 * inverse[:n] + 2
        split -= _DominanceSums(-start, rank, np.ones(n)).split(-death_level, rank[dead])
    rows[dead] += death_weight[:, None] * split[:, [2, 0, 1]]

    # Each subject against the earlier events it was at risk for: larger own rank = concordant.
    events = _DominanceSums(death_level, rank[dead], death_weight)
    split = events.split(level, rank)
    if entry is not None:
        split -= events.split(2 * inverse[:n] + 1, rank)
    rows += split[:, [0, 2, 1]]
    return PairCounts(rows, *_tied_time_pairs(death_level, rank[dead], death_weight))
