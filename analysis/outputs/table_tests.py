"""Table 1's Kruskal-Wallis and Pearson chi-square tests without scipy.stats.

The same statistics as `scipy.stats.kruskal` (mid-ranks, tie correction) and `scipy.stats.chi2_contingency`
(Yates' continuity correction when the table has one degree of freedom), with the chi-square upper tail from
`scipy.special.chdtrc`: importing scipy.stats takes about as long as R takes for the whole report (issue 21).
Fisher's exact test still comes from scipy.stats, imported only when a table needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def kruskal_p(samples: Sequence[np.ndarray]) -> float:
    """Return the Kruskal-Wallis p value of two or more samples (ties get mid-ranks and the tie correction)."""
    from scipy.special import chdtrc

    pooled = np.concatenate([np.asarray(s, dtype=float) for s in samples])
    n = pooled.size
    _, inverse, counts = np.unique(pooled, return_inverse=True, return_counts=True)
    mid_ranks = np.cumsum(counts) - (counts - 1) / 2.0
    ranks = mid_ranks[inverse]
    sizes = np.array([len(s) for s in samples])
    sums = np.add.reduceat(ranks, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
    h = 12.0 / (n * (n + 1)) * float(np.sum(sums**2 / sizes)) - 3.0 * (n + 1)
    ties = 1.0 - float(np.sum(counts.astype(float) ** 3 - counts)) / (n**3 - n)
    return float(chdtrc(len(samples) - 1, h / ties))


def chi2_contingency_p(table: np.ndarray) -> tuple[float, float]:
    """Return the Pearson chi-square p value of a two-way table and its smallest expected count."""
    from scipy.special import chdtrc

    observed = np.asarray(table, dtype=float)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    if dof == 1:  # Yates: move each count half a unit (at most) toward its expected count
        diff = expected - observed
        observed = observed + np.sign(diff) * np.minimum(0.5, np.abs(diff))
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    return float(chdtrc(dof, statistic)), float(expected.min())
