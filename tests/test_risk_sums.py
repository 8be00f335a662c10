"""The Cox risk-set sums computed in few, large numpy calls (issue 21) are bit for bit the plain ones.

`GroupPlan` must equal ``np.add.reduceat`` and `prefix_sums` a cumulative sum per product row to the last
bit, not merely to 1e-12: the fit's output (``netpet cox --format json``) prints every digit, and R
agreement was established with the plain sums.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from netpet.analysis.survival import risksets
from netpet.analysis.survival.group_sums import GroupPlan
from netpet.analysis.survival.prefix_sums import prefix_sums
from netpet.analysis.survival.risksets import (
    build_risk_sets,
    fix_times,
    fixed_ranks,
    partial_likelihood,
    stable_order,
    workspace,
)


def _groups(rng: np.random.Generator, sizes: list[int], count: int) -> tuple[np.ndarray, np.ndarray]:
    size = rng.choice(sizes, size=count)
    return (np.cumsum(size) - size).astype(np.int64), size


@pytest.mark.parametrize("sizes", [[1], [1, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [9, 12, 40, 300], [2, 8, 9]])
def test_group_plan_sums_equal_reduceat_bit_for_bit(sizes: list[int]) -> None:
    """Groups of up to 8 (summed left to right) and longer ones (numpy's pairwise sums) alike."""
    rng = np.random.default_rng(len(sizes))
    first, size = _groups(rng, sizes, 700)
    values = rng.normal(size=(5, int(size.sum()))) * 10.0 ** rng.integers(-8, 8, size=int(size.sum()))
    plan = GroupPlan.build(first, size)
    got = plan.sum(values[:, plan.layout])
    assert np.array_equal(got, np.add.reduceat(values, first, axis=1))
    assert np.array_equal(plan.sum(values[0][plan.layout]), np.add.reduceat(values[0], first))


@pytest.mark.parametrize("sizes", [[1], [1, 2, 3], [2, 8, 9], [9, 12, 40, 300], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
def test_group_plan_staged_sums_equal_reduceat_bit_for_bit(sizes: list[int]) -> None:
    """The first values written in place and the rest given apart: reduceat's bits, in the caller's buffer,
    whatever that buffer held before."""
    rng = np.random.default_rng(len(sizes) + 10)
    first, size = _groups(rng, sizes, 500)
    values = rng.normal(size=(4, int(size.sum()))) * 10.0 ** rng.integers(-8, 8, size=int(size.sum()))
    plan = GroupPlan.build(first, size)
    laid_out = values[:, plan.layout]
    staged = np.full((4, size.size), np.nan)
    staged[:, plan.big_first.size :] = laid_out[:, : plan.small]
    out = np.full((4, size.size), np.inf)
    got = plan.sum_staged(staged, laid_out[:, plan.small :], out)
    assert got is out
    assert np.array_equal(got, np.add.reduceat(values, first, axis=1))


def test_fixed_ranks_equal_the_unique_fixed_times() -> None:
    """One sort instead of two gives np.unique(fix_times(v), return_inverse=True): near-ties merged
    (absolute and relative tolerance), infinities and NaN kept, a single value, no values."""
    rng = np.random.default_rng(5)
    cases = [
        np.round(rng.exponential(size=2000), 2),
        np.array([1.0, 1 + 1e-10, 2.0, 2 + 1e-9, 3.0, np.inf, np.nan, np.nan, -np.inf, 1e-12, 0.0]),
        np.concatenate([rng.normal(size=50) * 1e6, rng.normal(size=50) * 1e6 * (1 + 1e-13)]),
        np.array([5.0]),
        np.array([]),
    ]
    for values in cases:
        unique, rank = np.unique(fix_times(values), return_inverse=True)
        got_unique, got_rank = fixed_ranks(values)
        assert np.array_equal(got_unique, unique, equal_nan=True)
        assert np.array_equal(got_rank, rank)


def test_group_plan_without_groups_sums_nothing() -> None:
    plan = GroupPlan.build(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert plan.sum(np.zeros((3, 0))).shape == (3, 0)


def _plain_prefix_sums(xs: np.ndarray, weight: np.ndarray, segments: np.ndarray, hi: np.ndarray,
                       lo: np.ndarray) -> np.ndarray:
    """The products row by row, one cumulative sum per row and stratum: the reference."""
    p, n = xs.shape
    rows = [weight, *(weight * xs)]
    rows += [(weight * xs[a]) * xs[b] for a in range(p) for b in range(a, p)]
    products = np.array(rows)
    bounds = [*segments.tolist(), n]
    for first, last in itertools.pairwise(bounds):
        products[:, first:last] = np.cumsum(products[:, first:last], axis=1)
    out = np.zeros((products.shape[0], hi.size))
    out[:, hi > lo] = products[:, hi[hi > lo] - 1]
    return out.T


@pytest.mark.parametrize("p", [1, 2, 5, 6])
def test_prefix_sums_equal_plain_cumulative_sums_bit_for_bit(p: int) -> None:
    """Odd and even numbers of products per block, two strata, and pairs with nobody at risk (hi <= lo)."""
    rng = np.random.default_rng(p)
    n = 501
    xs, weight = rng.normal(size=(p, n)), rng.exponential(size=n) * 1e3
    segments = np.array([0, 200])
    lo = np.array([0, 0, 0, 200, 200, 200])
    hi = np.array([1, 77, 200, 200, 350, 501])
    assert np.array_equal(prefix_sums(xs, weight, segments, hi, lo), _plain_prefix_sums(xs, weight, segments, hi, lo))


def _counting_rows(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 400
    time = np.round(rng.exponential(20, n)) + 1
    entry = np.floor(time * rng.uniform(0, 0.9, n))
    return entry, time, rng.integers(0, 2, n), rng.integers(0, 3, n), rng.normal(size=(n, 3))


def test_lookup_table_and_binary_search_give_the_same_risk_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The event-group lookup table is used when small; the searches it replaces must agree with it."""
    entry, time, event, stratum, x = _counting_rows(3)
    for start in (entry, None):
        table = build_risk_sets(start, time, event, stratum, x, efron=True)
        with monkeypatch.context() as patch:
            patch.setattr(risksets, "_key_counts", lambda *args: None)
            searched = build_risk_sets(start, time, event, stratum, x, efron=True)
        for name in ("row_lo", "row_hi", "death_rows", "death_group", "group_size", "stop_lo", "stop_hi"):
            assert np.array_equal(getattr(table, name), getattr(searched, name)), name


def test_workspace_gives_the_same_likelihood_bit_for_bit() -> None:
    """Reusing buffers across Newton steps changes no bit of the log-likelihood, score or information."""
    entry, time, event, stratum, x = _counting_rows(4)
    rs = build_risk_sets(entry, time, event, stratum, x, efron=True)
    work = workspace(rs)
    for beta in (np.zeros(3), np.array([0.3, -0.2, 0.1]), np.array([1.0, 0.5, -2.0])):
        fresh, reused = partial_likelihood(rs, beta), partial_likelihood(rs, beta, work)
        assert fresh[0] == reused[0]
        assert np.array_equal(fresh[1], reused[1])
        assert np.array_equal(fresh[2], reused[2])


@pytest.mark.parametrize("high", [1, 3000, 70_000, 2**31, 2**40])
def test_stable_order_is_numpys_stable_argsort(high: int) -> None:
    """One 16-bit radix pass, two, or numpy's own sort: always the permutation of a stable argsort."""
    keys = np.random.default_rng(high).integers(0, high, 5000)
    assert np.array_equal(stable_order(keys), np.argsort(keys, kind="stable"))
