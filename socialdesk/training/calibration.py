"""Temperature scaling: one number that makes a classifier's probabilities mean what they say."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _nll(logits: NDArray[np.float64], labels: NDArray[np.int64], temperature: float) -> float:
    scaled = logits / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(scaled).sum(axis=1))
    return float(np.mean(log_norm - scaled[np.arange(len(labels)), labels]))


def fit_temperature(logits: ArrayLike, labels: Sequence[int]) -> float:
    """The temperature in [0.25, 8] that minimises the negative log-likelihood on held-back data."""
    values = np.asarray(logits, dtype=np.float64)
    target = np.asarray(labels, dtype=np.int64)
    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 200))
    return float(min(grid, key=lambda t: _nll(values, target, float(t))))


def expected_calibration_error(
    probabilities: NDArray[np.float32], labels: Sequence[int], bins: int = 10
) -> float:
    """How far confidence and accuracy differ, averaged over confidence bins (0 is perfect)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in itertools.pairwise(edges):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            error += in_bin.mean() * abs(float(correct[in_bin].mean()) - float(confidence[in_bin].mean()))
    return error
