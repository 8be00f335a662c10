"""Sums of per-death columns within event groups, bit for bit numpy's ``np.add.reduceat`` but in a few large calls.

A Cox fit sums the dying rows' weighted products within each event group at every Newton step. With
thousands of small groups, ``np.add.reduceat`` makes one inner-loop call per group and product, and that
per-call cost was a large part of a 10,000-row fit (issue 21). `GroupPlan` gives the same numbers with a
handful of slice additions whatever the number of groups, because it adds in reduceat's own order:
reduceat copies a group's first value and adds to it the sum of the others, summed left to right when
there are fewer than 8 of them (numpy's pairwise summation only splits longer runs). For that the deaths
are laid out once, position-major: every group's first death, then the second death of each group with
two or more, and so on (groups by decreasing size, so each position is a prefix of the groups). Groups
of 9 or more deaths, rare, follow and are left to reduceat. The plan depends only on the group sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: numpy's pairwise summation adds runs shorter than this left to right (its 8-way unrolling).
SEQUENTIAL_RUN = 8


@dataclass(frozen=True)
class GroupPlan:
    """Where each death goes in the position-major layout, and the slices to add."""

    layout: np.ndarray  # the deaths' indices (into the groups' consecutive deaths) in the planned order
    small: int  # how many groups have at most SEQUENTIAL_RUN deaths (their first deaths open the layout)
    steps: tuple[tuple[int, int], ...]  # (start, count): the next position of the `count` largest small groups
    big_first: np.ndarray  # where each larger group starts in the layout's tail, relative to the tail
    big_start: int  # where that tail starts
    inverse: np.ndarray  # each original group's place in the planned (decreasing size) order

    @classmethod
    def build(cls, first: np.ndarray, size: np.ndarray) -> GroupPlan:
        """Plan sums of consecutive groups that start at `first` with `size` (>= 1) deaths each."""
        order = np.argsort(-size, kind="stable")
        by_size, starts = size[order], first[order]
        big = int(np.count_nonzero(by_size > SEQUENTIAL_RUN))
        small_sizes, small_starts = by_size[big:], starts[big:]
        parts, steps, offset = [small_starts], [], small_sizes.size
        for j in range(1, SEQUENTIAL_RUN):
            count = int(np.count_nonzero(small_sizes > j))
            if count == 0:
                break
            parts.append(small_starts[:count] + j)
            steps.append((offset, count))
            offset += count
        big_rows = [np.arange(s, s + d) for s, d in zip(starts[:big], by_size[:big], strict=True)]
        big_first = (np.cumsum(by_size[:big]) - by_size[:big]).astype(np.int64)
        inverse = np.empty(size.size, dtype=np.int64)
        inverse[order] = np.arange(size.size)
        return cls(np.concatenate([*parts, *big_rows]).astype(np.int64), small_sizes.size, tuple(steps),
                   big_first, offset, inverse)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Return ``np.add.reduceat`` over the groups' consecutive deaths, the same bits, for `values`
        (... x deaths) whose last axis is already in `layout` order; groups on the last axis."""
        shape = (*values.shape[:-1], self.big_first.size + self.small)
        staged = np.empty(shape)
        staged[..., self.big_first.size :] = values[..., : self.small]
        return self.sum_staged(staged, values[..., self.small :], np.empty(shape))

    def sum_staged(self, staged: np.ndarray, rest: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Return `sum` into `out` (also its scratch) when the groups' first values are already in the last
        `small` places of `staged` (... x groups) and `rest` holds the values after them in `layout` order:
        the first values need no copy, and a caller's buffers serve every call (issue 21)."""
        small, big = self.small, self.big_first.size
        if self.steps:
            start, seconds = self.steps[0]
            tail = out[..., :seconds]
            np.copyto(tail, rest[..., start - small : start - small + seconds])
            for start, count in self.steps[1:]:
                tail[..., :count] += rest[..., start - small : start - small + count]
            staged[..., big : big + seconds] += tail
        if big:
            staged[..., :big] = np.add.reduceat(rest[..., self.big_start - small :], self.big_first, axis=-1)
        return np.take(staged, self.inverse, axis=-1, out=out, mode="clip")  # "raise" would buffer `out`
