"""Concordance by looking at every pair, with R's definition (see tests/test_concordance_pairs.py)."""

from __future__ import annotations

import itertools

import numpy as np


def brute_force(entry, time, event, x, strata, cluster) -> tuple[np.ndarray, float, float]:
    """Return R's (concordant, discordant, tied.x) pair counts, C and the IJ SE, by looking at every pair."""
    usable = [k for k in range(len(time)) if entry[k] < time[k]]
    n = len(time)
    per_subject = np.zeros((n, 3))
    for i, j in itertools.permutations(usable, 2):
        t = time[i]
        at_risk = entry[j] < t <= time[j] and not (time[j] == t and event[j])
        if event[i] and strata[i] == strata[j] and at_risk:
            kind = 0 if x[j] > x[i] else 1 if x[j] < x[i] else 2
            per_subject[i, kind] += 1
            per_subject[j, kind] += 1
    counts = per_subject.sum(axis=0) / 2
    pairs = counts.sum()
    if pairs == 0:
        return counts, float("nan"), float("nan")
    somers = (counts[0] - counts[1]) / pairs
    dfbeta = (per_subject[:, 0] - per_subject[:, 1]) / pairs - somers / pairs * per_subject.sum(axis=1)
    by_cluster = np.zeros(max(cluster) + 1)
    np.add.at(by_cluster, np.asarray(cluster), dfbeta)
    return counts, (somers + 1) / 2, float(np.sqrt(np.sum(by_cluster**2) / 4))
