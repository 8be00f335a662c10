"""Tests of the demo's Weibull calibration: per-group scales that put a Kaplan-Meier median on its target.

Reference values come from the Weibull proportional-hazards survival function itself
(S(t | eta) = exp(-(t / scale) ** shape * exp(eta))) and from lifelines' Kaplan-Meier on large simulations.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import netpet.registry.demo_calibration
from netpet.registry.demo_calibration import MixtureQuantiles, calibrated_scales, clipped_normal_nodes

# Two groups: a P5-like mix of grades (HR 1, 1.4, 2, 2.8) by age nodes (HR 1.03 per year), and a two-node
# mix with a strong shared effect on both events, where death censoring progression matters most.
AGES = clipped_normal_nodes(60.0, 12.0, 20.0, 90.0, nodes=50)
GRADE_SHARE = np.array([0.05, 0.35, 0.35, 0.25])
P5_ETA = (np.log([1.0, 1.4, 2.0, 2.8])[:, None] + np.log(1.03) * (AGES - 60.0)[None, :]).reshape(1, -1)
P5_WEIGHT = np.repeat(GRADE_SHARE[None, :] / len(AGES), len(AGES), axis=1)
STRONG_ETA = np.array([[0.0, np.log(6.0)]])
STRONG_WEIGHT = np.array([[0.5, 0.5]])


def mixture_survival(t: float, scale: float, shape: float, eta: np.ndarray, weight: np.ndarray) -> float:
    return float((weight * np.exp(-((t / scale) ** shape) * np.exp(eta))).sum())


def simulate(rng, n: int, scale: float, shape: float, eta: np.ndarray, weight: np.ndarray, node: np.ndarray):
    """Weibull PH times at the drawn covariate nodes, by inversion: t = scale * (E / exp(eta)) ** (1/shape)."""
    return scale * (rng.exponential(size=n) / np.exp(eta[0, node])) ** (1 / shape)


def km_median(time: np.ndarray, event: np.ndarray) -> float:
    from lifelines import KaplanMeierFitter

    return float(KaplanMeierFitter().fit(time, event).median_survival_time_)


@pytest.mark.parametrize(("eta", "weight"), [(P5_ETA, P5_WEIGHT), (STRONG_ETA, STRONG_WEIGHT)])
def test_without_a_competing_event_the_mixture_survival_at_the_target_is_one_half(eta, weight):
    scale = calibrated_scales(np.array([350.0]), 1.5, eta, weight)
    assert mixture_survival(350.0, scale[0], 1.5, eta, weight) == pytest.approx(0.5, abs=1e-9)


def test_scales_are_solved_per_group_and_scale_with_the_target():
    eta = np.vstack([P5_ETA, P5_ETA])
    weight = np.vstack([P5_WEIGHT, P5_WEIGHT])
    scale = calibrated_scales(np.array([100.0, 300.0]), 1.4, eta, weight)
    assert scale[1] / scale[0] == pytest.approx(3.0, rel=1e-9)


def test_km_median_under_dependent_death_censoring_hits_the_target():
    """Progression and death share the covariate (HR 6 for half the group), so death censors the
    high-risk patients early; the scale solved with the competing event gives the KM median its target,
    the scale of the progression mixture alone does not."""
    death_scale = calibrated_scales(np.array([12.0]), 1.0, STRONG_ETA, STRONG_WEIGHT)
    competing = (death_scale, 1.0, STRONG_ETA)
    solved = calibrated_scales(np.array([10.0]), 1.2, STRONG_ETA, STRONG_WEIGHT, competing=competing)[0]
    naive = calibrated_scales(np.array([10.0]), 1.2, STRONG_ETA, STRONG_WEIGHT)[0]
    rng = np.random.default_rng(2023)
    n = 400_000
    node = rng.integers(0, 2, n)
    death = simulate(rng, n, death_scale[0], 1.0, STRONG_ETA, STRONG_WEIGHT, node)
    medians = {}
    for name, scale in (("solved", solved), ("naive", naive)):
        progression = simulate(rng, n, scale, 1.2, STRONG_ETA, STRONG_WEIGHT, node)
        medians[name] = km_median(np.minimum(progression, death), progression <= death)
    assert medians["solved"] == pytest.approx(10.0, rel=0.02)
    assert medians["naive"] > 11.0


def test_mixture_quantiles_invert_the_mixture_survival():
    scale = calibrated_scales(np.array([350.0]), 1.5, P5_ETA, P5_WEIGHT)
    quantiles = MixtureQuantiles.tabulate(scale, 1.5, P5_ETA, P5_WEIGHT)
    u = np.array([0.001, 0.1, 0.5, 0.9, 0.999])
    times = quantiles(np.zeros(len(u), dtype=np.int64), u)
    assert times[2] == pytest.approx(350.0, rel=1e-4)
    survival = [mixture_survival(t, scale[0], 1.5, P5_ETA, P5_WEIGHT) for t in times]
    assert survival == pytest.approx(1 - u, abs=1e-4)


def test_clipped_normal_nodes_are_quantiles_clipped_to_the_range():
    """Nodes at (i + 0.5) / n: with n = 2, the quartiles 60 -/+ 0.674 * 12; extreme ones clip to the range."""
    assert clipped_normal_nodes(60.0, 12.0, 20.0, 90.0, nodes=2) == pytest.approx([51.906, 68.094], abs=1e-3)
    assert clipped_normal_nodes(60.0, 12.0, 59.0, 61.0, nodes=2).tolist() == [59.0, 61.0]


def test_docstring_examples_run():
    assert doctest.testmod(netpet.registry.demo_calibration).failed == 0
