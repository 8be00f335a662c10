"""Table 1's Kruskal-Wallis and chi-square p values equal scipy.stats' (which R's kruskal.test and
chisq.test also give: mid-ranks with the tie correction; Yates' correction at one degree of freedom)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from netpet.analysis.outputs.table_tests import chi2_contingency_p, kruskal_p


@pytest.mark.parametrize("seed", range(40))
def test_kruskal_equals_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    samples = [np.round(rng.normal(rng.uniform(0, 1), 1, rng.integers(2, 40)), int(rng.integers(0, 2)))
               for _ in range(int(rng.integers(2, 5)))]
    assert kruskal_p(samples) == pytest.approx(stats.kruskal(*samples).pvalue, rel=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_chi_square_equals_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    table = rng.integers(1, 30, tuple(rng.integers(2, 5, 2)))
    expected = stats.chi2_contingency(table)
    p, smallest = chi2_contingency_p(table)
    assert p == pytest.approx(expected.pvalue, rel=1e-12)
    assert smallest == pytest.approx(expected.expected_freq.min(), rel=1e-12)


def test_yates_correction_at_one_degree_of_freedom() -> None:
    """R 4.2: chisq.test(matrix(c(12, 5, 7, 9), 2))$p.value = 0.2275682146 (continuity-corrected)."""
    p, _ = chi2_contingency_p(np.array([[12, 7], [5, 9]]))
    assert p == pytest.approx(0.2275682146, rel=1e-9)
    assert p != pytest.approx(stats.chi2_contingency([[12, 7], [5, 9]], correction=False).pvalue, rel=1e-3)
