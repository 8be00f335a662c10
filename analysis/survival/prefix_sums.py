"""Risk-set sums of weight x [1, x, x_a x_b]: cumulative sums over rows sorted by time, two rows per pass.

The Cox partial likelihood needs, at every Newton step and every event group, the sums S0, S1 and S2 of
the weighted products over the group's risk set, taken from cumulative sums over the sorted rows. Summed
left to right as R's C loop does, a cumulative sum waits on the previous addition at every row, so it runs
at the speed of one addition's latency, not of the processor's throughput. Two rows stored interleaved
and read as complex numbers are summed in one pass, twice as fast: numpy adds the real and the imaginary
parts apart, each exactly as a row of doubles, so the sums are the same bits (issue 21). The products are
built p + 1 rows at a time into buffers a fit allocates once (`netpet.analysis.survival.risksets.workspace`),
which keeps them in cache, spares a page fault per 4 KB of fresh memory at every step, and keeps a
million-row fit light on memory.
"""

from __future__ import annotations

import itertools

import numpy as np


def product_count(p: int) -> int:
    """Return how many weighted products there are for p covariates: 1, x and the upper triangle of x x'."""
    return 1 + p + p * (p + 1) // 2


def pair_buffer(rows: int, n: int) -> np.ndarray:
    """Return a buffer for `rows` rows of n doubles stored two by two, interleaved ((rows + 1) // 2 x n x 2)."""
    return np.zeros(((rows + 1) // 2, n, 2))


def prefix_sums(
    xs: np.ndarray, weight: np.ndarray, segments: np.ndarray, hi: np.ndarray, lo: np.ndarray,
    work: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Return, per (lo, hi) pair, the sums of weight x [1, x, x_a x_b] over columns lo..hi-1, as (pairs, m).

    `xs` holds the covariates of the sorted rows (p x n). Every `lo` is the first column of its stratum,
    so the sums are cumulative sums restarted at each stratum's first column (`segments`): as R's
    coxfit6/agfit4 accumulate, one stratum at a time, so that no stratum's sums carry the rounding error
    of another's. A pair with hi <= lo (nobody at risk) gets 0. `work`: buffers for the weighted x
    ((p + 1) x n), the paired rows (`pair_buffer(p + 1, n)`) and the sums (m x pairs).
    """
    p, n = xs.shape
    if work is None:
        work = np.empty((p + 1, n)), pair_buffer(p + 1, n), np.empty((product_count(p), hi.size))
    factors, pairs, sums = work
    empty = hi <= lo
    columns = np.where(empty, 0, hi - 1)
    bounds = np.append(segments, n)
    factors[0] = weight
    np.multiply(xs, weight, out=factors[1:])
    _interleave(factors[0::2], factors[1::2], pairs)
    _sum_rows(pairs, p + 1, bounds, columns, sums[: p + 1])
    start = 1 + p
    for a in range(p):
        k = p - a
        np.multiply(factors[1 + a], xs[a::2], out=pairs[: (k + 1) // 2, :, 0])
        np.multiply(factors[1 + a], xs[a + 1 :: 2], out=pairs[: k // 2, :, 1])
        if k % 2:
            pairs[k // 2, :, 1] = 0.0
        _sum_rows(pairs, k, bounds, columns, sums[start : start + k])
        start += k
    if empty.any():
        sums[:, empty] = 0.0
    return sums.T


def _interleave(even: np.ndarray, odd: np.ndarray, pairs: np.ndarray) -> None:
    """Store rows 0, 2, 4, ... (`even`) and 1, 3, ... (`odd`) two by two in `pairs` (an odd count's last
    partner is 0)."""
    pairs[: even.shape[0], :, 0] = even
    pairs[: odd.shape[0], :, 1] = odd
    if even.shape[0] > odd.shape[0]:
        pairs[odd.shape[0], :, 1] = 0.0


def _sum_rows(pairs: np.ndarray, k: int, bounds: np.ndarray, columns: np.ndarray, out: np.ndarray) -> None:
    """Cumulate the first `k` paired rows in place, restarting at every bound, and write their values at
    `columns` into `out` (k x columns)."""
    joined = pairs[: (k + 1) // 2].view(np.complex128)[..., 0]
    for first, last in itertools.pairwise(bounds):
        np.cumsum(joined[:, first:last], axis=1, out=joined[:, first:last])
    taken = np.take(joined, columns, axis=1).view(np.float64)
    out[0::2] = taken[:, 0::2]
    out[1::2] = taken[: k // 2, 1::2]
