"""Polynomial features and their standardisation.

The lesson's features for degree 2 are [x², x]: highest power first, no constant column,
because ``nn.Linear`` carries the bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_DEGREE, MAX_DEGREE = 1, 6


def polynomial_features(x: np.ndarray, degree: int = 2) -> np.ndarray:
    """Return [x^degree, …, x²,  x] as a (n_samples, degree) float64 array."""
    x = np.asarray(x, dtype=np.float64)
    powers = np.arange(degree, 0, -1)
    return x[:, None] ** powers  # (n_samples, degree)


@dataclass(frozen=True)
class Scaling:
    """Per-feature mean and standard deviation; identity when standardisation is off."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    @classmethod
    def identity(cls, n_features: int) -> Scaling:
        return cls(mean=(0.0,) * n_features, std=(1.0,) * n_features)

    @classmethod
    def fit(cls, features: np.ndarray) -> Scaling:
        std = features.std(axis=0)
        # A constant column (all x equal) would divide by zero: leave it unscaled.
        std = np.where(std > 0, std, 1.0)
        return cls(mean=tuple(features.mean(axis=0)), std=tuple(std))

    def apply(self, features: np.ndarray) -> np.ndarray:
        return (features - np.asarray(self.mean)) / np.asarray(self.std)

    def to_original(self, weights: np.ndarray, bias: float) -> tuple[np.ndarray, float]:
        """Map weights learned on scaled features back to the original x^k scale.

        w·(f − μ)/σ + b = (w/σ)·f + (b − Σ w·μ/σ), so the comparison with 3.1 and −1.7 holds.
        """
        w = np.asarray(weights, dtype=np.float64) / np.asarray(self.std)
        return w, float(bias - np.dot(w, np.asarray(self.mean)))
