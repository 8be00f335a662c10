"""Sorted risk sets for Cox partial-likelihood sums, vectorised with cumulative sums.

Shared by the fitter (`netpet.analysis.survival.cox`) and the proportional-hazards test
(`netpet.analysis.survival.phtest`). Rows are
(entry, time] intervals within strata. A row is at risk at an event time t of its stratum when
entry < t <= time; the sums over a risk set are a difference of two prefix sums, one over rows sorted by
decreasing `time` (time >= t) and one over rows sorted by decreasing `entry` (entry >= t). Tied deaths are
handled per event group (one stratum x one event time) by Efron's or Breslow's approximation, as in R's
coxph.fit/agreg.fit. Near-equal times are merged first, as R's `aeqSurv` (`timefix = TRUE`).
The prefix sums are `netpet.analysis.survival.prefix_sums`, the tied deaths' group sums
`netpet.analysis.survival.group_sums`; a `workspace` lets the Newton steps reuse their buffers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from netpet.analysis.survival.group_sums import GroupPlan
from netpet.analysis.survival.prefix_sums import pair_buffer, prefix_sums, product_count
from netpet.analysis.survival.usable_rows import SurvivalDataError


def fix_times(values: np.ndarray) -> np.ndarray:
    """Merge times within sqrt(machine epsilon) of each other onto the smaller one, as R's `aeqSurv`."""
    unique = np.unique(values[np.isfinite(values)])
    if unique.size < 2:
        return values
    tol = np.sqrt(np.finfo(float).eps)
    step = np.diff(unique)
    tied = (step <= tol) | (step / np.mean(np.abs(unique)) <= tol)
    if not tied.any():
        return values
    cuts = unique[np.concatenate([[True], ~tied])]
    return cuts[np.searchsorted(cuts, values, side="right") - 1]


def fixed_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``np.unique(fix_times(values), return_inverse=True)``, the same arrays with one sort of the
    rows instead of two: which times merge depends on the distinct values alone."""
    distinct, inverse = np.unique(values, return_inverse=True)
    merged, to_merged = np.unique(fix_times(distinct), return_inverse=True)
    return merged, to_merged[inverse]


def _check_intervals(entry: np.ndarray, time: np.ndarray, entry_rank: np.ndarray, time_rank: np.ndarray) -> None:
    """Refuse an (entry, time] interval that merging near-equal times empties, as R's aeqSurv stops."""
    empty = np.flatnonzero(entry_rank >= time_rank)
    if empty.size:
        row = int(empty[0])
        raise SurvivalDataError(
            f"the (entry, time] interval ({entry[row]:.12g}, {time[row]:.12g}] has effective length 0 once "
            "near-equal times are merged (R's aeqSurv exception): entry and time differ by less than "
            "sqrt(machine epsilon)"
        )


def _sorted_columns(xt: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Return the columns of `xt` (x transposed, p x n) in `order`: each covariate stays contiguous."""
    return np.take(xt, order, axis=1)


def weighted_products(xs: np.ndarray, weight: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return weight x [1, x, x_a * x_b for a <= b] (m x n) for covariates `xs` (p x n).

    The dying rows' share of S0, S1 and S2 (packed upper triangle), multiplied in the same order as the
    risk-set sums' products (`netpet.analysis.survival.prefix_sums`); one call per covariate a (all b >= a
    at once), into `out` when given (m x n), so that Newton steps reuse one buffer.
    """
    p, n = xs.shape
    w = np.empty((product_count(p), n)) if out is None else out
    w[0] = weight
    np.multiply(xs, weight, out=w[1 : 1 + p])
    start = 1 + p
    for a in range(p):
        np.multiply(w[1 + a], xs[a:], out=w[start : start + p - a])
        start += p - a
    return w


@functools.cache
def _upper_triangle(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``np.triu_indices(p)``, once per p (every Newton step unpacks the information)."""
    return np.triu_indices(p)


def unpack(v: np.ndarray, p: int) -> np.ndarray:
    """Return the symmetric p x p matrix whose upper triangle (row-major) is `v`."""
    out = np.zeros((p, p))
    ia, ib = _upper_triangle(p)
    out[ia, ib] = v
    out[ib, ia] = v
    return out


@dataclass(frozen=True)
class RiskSets:
    """Sort orders and event groups of one data set; built once, reused at every Newton step."""

    x: np.ndarray  # centred covariates, original row order
    means: np.ndarray
    x_stop: np.ndarray  # centred x transposed (p x n), rows sorted by (stratum, time desc)
    order_stop: np.ndarray
    x_start: np.ndarray | None  # same, sorted by (stratum, entry desc); None for right-censored data
    order_start: np.ndarray | None
    stop_lo: np.ndarray  # per event group: prefix bounds of its risk set in the stop order
    stop_hi: np.ndarray
    start_lo: np.ndarray | None
    start_hi: np.ndarray | None
    death_rows: np.ndarray  # rows with an event, sorted by event group
    death_group: np.ndarray
    group_first: np.ndarray  # index into death_rows of each group's first death
    group_size: np.ndarray
    group_rank: np.ndarray  # time rank of each group's event time
    frac: np.ndarray  # Efron's k/d per death (0 for Breslow)
    row_lo: np.ndarray  # per row: event groups (row_lo, row_hi] it is at risk in
    row_hi: np.ndarray
    time_rank: np.ndarray
    entry_rank: np.ndarray | None
    event: np.ndarray
    row_stratum: np.ndarray  # per row: its stratum as 0..K-1, original row order
    stop_segments: np.ndarray  # first position of each stratum in the stop order
    start_segments: np.ndarray | None  # same in the entry order
    tied_plan: GroupPlan  # how to sum the deaths' products within their event groups
    tied_rows: np.ndarray  # death_rows in the plan's layout
    x_tied: np.ndarray  # the deaths' x, transposed (p x deaths), in the plan's layout (tied_rows)
    x_dead_sums: np.ndarray  # per event group: the sum of its deaths' x (G x p)

    @property
    def p(self) -> int:
        return int(self.x.shape[1])


def stable_order(keys: np.ndarray) -> np.ndarray:
    """Return ``np.argsort(keys, kind="stable")`` for integer keys, the same permutation, faster.

    numpy sorts 16-bit integers by radix (linear time) but int64 by timsort; non-negative keys below 2^32
    are sorted as two 16-bit digits, low then high, each pass stable, which orders by the whole key and
    keeps equal keys in row order: about 5 to 15 times faster for the sort orders of a Cox fit (issue 21).
    """
    if keys.size == 0 or keys.min() < 0 or keys.max() >= 2**32:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if keys.max() < 2**16:
        return order
    high = (keys[order] >> 16).astype(np.uint16)
    return order[np.argsort(high, kind="stable")]


def _key_counts(keys: np.ndarray, event: np.ndarray, strata: int, m: int) -> np.ndarray | None:
    """Return, for every key k in 0..strata x m, how many distinct event keys lie below k (k + 1 entries),
    a lookup table that replaces a binary search per row; None when the table would be larger than the
    data (strata x times much above the rows), where the searches are left to searchsorted."""
    span = strata * m
    if span > 4 * keys.size + 1024 or (keys.size and keys.min() < 0):
        return None
    present = np.zeros(span, dtype=np.int64)
    present[keys[event]] = 1
    return np.concatenate([[0], np.cumsum(present)])


def _death_groups(
    event: np.ndarray, keys: np.ndarray, group_keys: np.ndarray, counts: np.ndarray | None, *, efron: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the rows with an event sorted by event group (row order within one), their group, each
    group's size and first death, and Efron's k/d per death (0 for Breslow)."""
    dead = np.flatnonzero(event)
    dgroup = np.searchsorted(group_keys, keys[dead]) if counts is None else counts[keys[dead]]
    by_group = stable_order(dgroup)
    death_rows, death_group = dead[by_group], dgroup[by_group]
    group_size = np.bincount(death_group, minlength=group_keys.size)
    group_first = np.concatenate([[0], np.cumsum(group_size)[:-1]]).astype(np.int64)
    k = np.arange(death_rows.size) - group_first[death_group]
    frac = k / group_size[death_group] if efron else np.zeros(death_rows.size)
    return death_rows, death_group, group_size, group_first, frac


def build_risk_sets(
    entry: np.ndarray | None,
    time: np.ndarray,
    event: np.ndarray,
    stratum: np.ndarray,
    x: np.ndarray,
    *,
    efron: bool,
) -> RiskSets:
    """Sort the rows once and locate every event group's risk set.

    `entry` None means right-censored data (everyone at risk from the start); `stratum` holds integer codes.
    """
    event = event.astype(bool)
    stratum = stratum.astype(np.int64)
    all_times = time if entry is None else np.concatenate([entry, time])
    unique, rank = fixed_ranks(all_times.astype(float))
    m = unique.size + 1
    time_rank = rank[-time.size :]
    entry_rank = None if entry is None else rank[: entry.size]
    if entry is not None and entry_rank is not None:
        _check_intervals(entry, time, entry_rank, time_rank)

    means = x.mean(axis=0) if x.shape[0] else np.zeros(x.shape[1])
    xc = x - means
    xt = np.ascontiguousarray(xc.T)
    strata, row_stratum = np.unique(stratum, return_inverse=True)
    key_stop = stratum * m + (m - 1 - time_rank)
    order_stop = stable_order(key_stop)
    sorted_stop = key_stop[order_stop]
    stop_segments = np.searchsorted(sorted_stop, strata * m, side="left")

    group_keys_all = stratum * m + time_rank
    counts = _key_counts(group_keys_all, event, int(strata[-1]) + 1 if strata.size else 0, m)
    group_keys = np.unique(group_keys_all[event]) if counts is None else np.flatnonzero(np.diff(counts))
    g_stratum, g_rank = np.divmod(group_keys, m)
    stop_lo = np.searchsorted(sorted_stop, g_stratum * m, side="left")
    stop_hi = np.searchsorted(sorted_stop, g_stratum * m + (m - 1 - g_rank), side="right")

    x_start = order_start = start_lo = start_hi = start_segments = None
    if entry_rank is not None:
        key_start = stratum * m + (m - 1 - entry_rank)
        order_start = stable_order(key_start)
        sorted_start = key_start[order_start]
        x_start = _sorted_columns(xt, order_start)
        start_lo = np.searchsorted(sorted_start, g_stratum * m, side="left")
        start_segments = np.searchsorted(sorted_start, strata * m, side="left")
        start_hi = np.searchsorted(sorted_start, g_stratum * m + (m - 1 - g_rank), side="right")

    death_rows, death_group, group_size, group_first, frac = _death_groups(
        event, group_keys_all, group_keys, counts, efron=efron)
    row_lo_keys = stratum * m if entry_rank is None else stratum * m + entry_rank + 1
    if counts is None:
        row_hi = np.searchsorted(group_keys, group_keys_all, side="right")
        row_lo = np.searchsorted(group_keys, row_lo_keys, side="left")
    else:
        row_hi, row_lo = counts[group_keys_all + 1], counts[row_lo_keys]
    plan = GroupPlan.build(group_first[: group_size.size], group_size)
    tied_rows = death_rows[plan.layout]
    x_tied = _sorted_columns(xt, tied_rows)
    # constant across Newton steps: the deaths' summed x, once (the plan: reduceat's bits, not its 0.4 ms)
    x_dead_sums = np.ascontiguousarray(plan.sum(x_tied).T) if death_rows.size else np.zeros((0, x.shape[1]))
    return RiskSets(
        xc, means, _sorted_columns(xt, order_stop), order_stop, x_start, order_start,
        stop_lo, stop_hi, start_lo, start_hi,
        death_rows, death_group, group_first, group_size, g_rank, frac, row_lo, row_hi, time_rank, entry_rank,
        event, row_stratum, stop_segments, start_segments, plan, tied_rows, x_tied, x_dead_sums,
    )


@dataclass(frozen=True)
class Workspace:
    """Buffers that every Newton step of one data set reuses (`workspace`).

    A fresh array of rows x products costs a page fault per 4 KB on first touch; allocated anew at each
    step, they were about a third of a 10,000-row fit's CPU (issue 21).
    """

    factors: np.ndarray  # (p + 1) x rows: weight and weight x
    pairs: np.ndarray  # the products being summed, two rows interleaved (`prefix_sums.pair_buffer`)
    stop_sums: np.ndarray  # m x event groups
    start_sums: np.ndarray | None
    dying: np.ndarray  # m x deaths after each group's first, in the tied plan's layout
    tied_staged: np.ndarray  # m x event groups: the dying rows' sums in the plan's order (`GroupPlan.sum_staged`)
    tied: np.ndarray  # m x event groups: the same in group order


def workspace(rs: RiskSets) -> Workspace:
    """Allocate the buffers for repeated risk-set sums over `rs` (`partial_likelihood(rs, beta, work)`)."""
    p, n = rs.p, rs.x.shape[0]
    m, groups = product_count(p), rs.stop_hi.size
    return Workspace(np.empty((p + 1, n)), pair_buffer(p + 1, n), np.empty((m, groups)),
                     None if rs.x_start is None else np.empty((m, groups)),
                     np.empty((m, rs.tied_rows.size - rs.tied_plan.small)), np.empty((m, groups)),
                     np.empty((m, groups)))


def _group_sums_at(
    rs: RiskSets, risk: np.ndarray, work: Workspace | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return per event group the risk-set sums and the dying rows' sums of risk x [1, x, xx] (G x m)."""
    stop_work = None if work is None else (work.factors, work.pairs, work.stop_sums)
    at_risk = prefix_sums(rs.x_stop, risk[rs.order_stop], rs.stop_segments, rs.stop_hi, rs.stop_lo, stop_work)
    if rs.x_start is not None and rs.order_start is not None and rs.start_hi is not None:
        assert rs.start_lo is not None
        assert rs.start_segments is not None
        start_work = None if work is None or work.start_sums is None else (work.factors, work.pairs,
                                                                            work.start_sums)
        at_risk -= prefix_sums(rs.x_start, risk[rs.order_start], rs.start_segments, rs.start_hi, rs.start_lo,
                                start_work)
    plan, weight = rs.tied_plan, risk[rs.tied_rows]
    groups, first = plan.small + plan.big_first.size, plan.small
    staged, rest, out = ((np.empty((at_risk.shape[1], groups)), None, np.empty((at_risk.shape[1], groups)))
                         if work is None else (work.tied_staged, work.dying, work.tied))
    weighted_products(rs.x_tied[:, :first], weight[:first], staged[:, plan.big_first.size :])
    dying = weighted_products(rs.x_tied[:, first:], weight[first:], rest)
    return at_risk, plan.sum_staged(staged, dying, out).T


def _risk(rs: RiskSets, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return eta, exp(eta - shift) and the shift, per row: each stratum shifted by its own largest eta.

    A shift common to a stratum leaves every ratio within it, and so the log partial likelihood, unchanged;
    it only avoids overflow. One shift for all strata would underflow a stratum whose scores are far
    below another's to zero (a zero risk-set sum), which R, summing each stratum apart, never sees.
    """
    eta = rs.x @ beta
    if not eta.size:
        return eta, np.exp(eta), eta
    peaks = np.maximum.reduceat(eta[rs.order_stop], rs.stop_segments)
    shift = peaks[rs.row_stratum]
    return eta, np.exp(eta - shift), shift


@dataclass
class TieTerms:
    """Per-death Efron terms at one beta: S0_k and xbar_k = S1_k / S0_k."""

    eta: np.ndarray  # linear predictor (centred x), original row order
    risk: np.ndarray  # exp(eta - shift)
    s0: np.ndarray
    xbar: np.ndarray


def tie_terms(rs: RiskSets, beta: np.ndarray) -> TieTerms:
    """Return the risk-set sums seen by each death, with Efron's down-weighting of its tied deaths."""
    p = rs.p
    eta, risk, _ = _risk(rs, beta)
    at_risk, tied = _group_sums_at(rs, risk)
    g = rs.death_group
    s = at_risk[g, : 1 + p] - rs.frac[:, None] * tied[g, : 1 + p]
    s0 = s[:, 0]
    return TieTerms(eta, risk, s0, s[:, 1:] / s0[:, None])


@dataclass
class GroupTerms:
    """Per event group at one beta: the log-likelihood, Schoenfeld sums and information (packed)."""

    loglik: float
    schoenfeld: np.ndarray  # G x p: sum over the group's deaths of x - xbar_k
    information: np.ndarray  # G x p(p+1)/2: sum over k of the risk-set covariance of x


def group_terms(rs: RiskSets, beta: np.ndarray, work: Workspace | None = None) -> GroupTerms:
    """Return each event group's share of the log partial likelihood, score and information at `beta`.

    The k-th of d tied deaths sees S - (k/d) D (Efron; D the dying rows' sums); every per-death sum is
    rewritten as group sums times per-group sums of 1/S0_k, (k/d)/S0_k, ..., so that nothing of size
    deaths x p^2 is built. `work` (from `workspace`) saves allocating the large arrays at each call.
    """
    p = rs.p
    eta, risk, shift = _risk(rs, beta)
    at_risk, tied = _group_sums_at(rs, risk, work)
    g, f = rs.death_group, rs.frac
    s0 = at_risk[g, 0] - f * tied[g, 0]
    loglik = float(np.sum(eta[rs.death_rows] - shift[rs.death_rows]) - np.sum(np.log(s0)))
    a, b = group_sums(rs, 1 / s0), group_sums(rs, f / s0)
    s1, d1 = at_risk[:, 1 : 1 + p], tied[:, 1 : 1 + p]
    schoenfeld = rs.x_dead_sums - (a[:, None] * s1 - b[:, None] * d1)
    c = group_sums(rs, 1 / s0**2), group_sums(rs, f / s0**2), group_sums(rs, f * f / s0**2)
    return GroupTerms(loglik, schoenfeld, _information(at_risk, tied, a, b, c, p))


def _information(at_risk: np.ndarray, tied: np.ndarray, a: np.ndarray, b: np.ndarray,
                 c: tuple[np.ndarray, np.ndarray, np.ndarray], p: int) -> np.ndarray:
    """Return the packed information per event group (G x p(p+1)/2): a S2 - b D2 - (c0 S1 S1' - c1 (S1 D1' +
    D1 S1') + c2 D1 D1'), one block of the upper triangle (row a, columns b >= a) per covariate a.

    The terms go through three scratch blocks in place, not a fresh array per term (a tenth of the time,
    issue 21); every element gets the same operations in the same order, so the same bits."""
    c0, c1, c2 = c
    s1, d1 = at_risk[:, 1 : 1 + p], tied[:, 1 : 1 + p]
    info = np.empty((a.size, p * (p + 1) // 2), order="F")
    scratch = np.empty((3, p, a.size))  # each block's columns contiguous, as the sums' (groups x k, F order)
    s2, d2 = at_risk[:, 1 + p :], tied[:, 1 + p :]
    c0_s1, c2_d1 = c0[:, None] * s1, c2[:, None] * d1  # per element as (c0 * s1[:, j]), column by column
    a, b, c1 = a[:, None], b[:, None], c1[:, None]
    start = 0
    for j in range(p):
        k = p - j
        outer, first, second = scratch[0, :k].T, scratch[1, :k].T, scratch[2, :k].T
        block = info[:, start : start + k]
        np.multiply(a, s2[:, start : start + k], out=block)
        block -= np.multiply(b, d2[:, start : start + k], out=outer)
        np.multiply(c0_s1[:, j : j + 1], s1[:, j:], out=outer)
        np.multiply(s1[:, j : j + 1], d1[:, j:], out=first)
        first += np.multiply(d1[:, j : j + 1], s1[:, j:], out=second)
        outer -= np.multiply(c1, first, out=first)
        outer += np.multiply(c2_d1[:, j : j + 1], d1[:, j:], out=first)
        block -= outer
        start += k
    return info


def partial_likelihood(
    rs: RiskSets, beta: np.ndarray, work: Workspace | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the log partial likelihood, its score vector and information matrix at `beta` (`work`: as
    group_terms)."""
    terms = group_terms(rs, beta, work)
    return terms.loglik, terms.schoenfeld.sum(axis=0), unpack(terms.information.sum(axis=0), rs.p)


def group_sums(rs: RiskSets, values: np.ndarray) -> np.ndarray:
    """Sum per-death `values` within each event group."""
    if values.shape[0] == 0:
        return np.zeros((0, *values.shape[1:]))
    return np.add.reduceat(values, rs.group_first, axis=0)


def score_residuals(rs: RiskSets, beta: np.ndarray) -> np.ndarray:
    """Return the score residuals (n x p) at `beta`, as R's residuals(fit, type = "score").

    For tied deaths under Efron, each death shares the k-th hazard increment with weight 1 - k/d, as in
    R's coxscore2/agscore2; lifelines ignores ties here, which is why its robust SE differs from R's.
    """
    t = tie_terms(rs, beta)
    inv = 1.0 / t.s0
    keep = (1.0 - rs.frac)[:, None]
    h1 = group_sums(rs, inv)
    hx = group_sums(rs, t.xbar * inv[:, None])
    h1_dead = group_sums(rs, keep[:, 0] * inv)
    hx_dead = group_sums(rs, keep * t.xbar * inv[:, None])
    xbar_mean = group_sums(rs, t.xbar) / rs.group_size[:, None]
    c1 = np.concatenate([[0.0], np.cumsum(h1)])
    cx = np.vstack([np.zeros((1, hx.shape[1])), np.cumsum(hx, axis=0)])
    x, r = rs.x, t.risk[:, None]
    resid = -r * (x * (c1[rs.row_hi] - c1[rs.row_lo])[:, None] - (cx[rs.row_hi] - cx[rs.row_lo]))
    d, g = rs.death_rows, rs.death_group
    resid[d] += x[d] - xbar_mean[g] + r[d] * (x[d] * (h1[g] - h1_dead[g])[:, None] - (hx[g] - hx_dead[g]))
    return resid
