"""Categorical draws the demo's generators share: one category per row, from a vector or a matrix of probabilities."""

from __future__ import annotations

import numpy as np


def draw(
    rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray | None = None, n: int = 0
) -> np.ndarray:
    """Draw one category per row: from `probs` (1-D), or from row `rows[i]` of a matrix of probabilities."""
    table = np.asarray(probs, dtype=float)
    if rows is not None:
        return draw_rows(rng, table[rows])
    cum = np.cumsum(table / table.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category per row of a matrix of probabilities."""
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((rng.random(len(probs))[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)
