"""Learning-rate guidance: the largest stable learning rate for a dataset and settings, the
condition number of the features, and presets on either side of the bound.

Gradient descent on the mean squared error multiplies the error along the Hessian's steepest
direction by (1 − lr·λmax) every step. Above lr = 2/λmax that factor is below −1, so each
step overshoots the minimum by more than the last and the cost grows without end. Heavy-ball
momentum β widens the range to 2·(1 + β)/λmax.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyreg_core.data import Dataset
from polyreg_core.features import Scaling, polynomial_features
from polyreg_core.reference import condition_number, hessian
from polyreg_core.training import TrainConfig

# 0.5×: converges smoothly; 0.99×: converges while oscillating slowly; 1.1×: diverges.
PRESET_FACTORS = (0.5, 0.99, 1.1)
PRESET_DIGITS = 3  # significant digits, so that the learning-rate input shows the value used
# The Train page's learning-rate input accepts this range; a preset outside it is not offered.
LR_INPUT_RANGE = (1e-8, 10.0)


@dataclass(frozen=True)
class LrGuidance:
    """Stability numbers of one dataset under one set of training settings."""

    lambda_max: float  # largest eigenvalue of the Hessian of the cost on the model's input features
    max_stable_lr: float | None  # None for Adam, whose step size adapts and has no such bound
    condition_raw: float  # λmax/λmin of the Hessian on [x^d, …, x]
    condition_standardized: float  # the same on standardised features
    batch_size: int
    n_samples: int

    def presets(self) -> list[tuple[float, float | None]]:
        """(factor, learning rate) for each preset; the rate is None when the input cannot take it."""
        if self.max_stable_lr is None:
            return []
        return [(factor, _preset(factor * self.max_stable_lr)) for factor in PRESET_FACTORS]


def _preset(lr: float) -> float | None:
    rounded = float(f"{lr:.{PRESET_DIGITS}g}")
    low, high = LR_INPUT_RANGE
    return rounded if low <= rounded <= high else None


def lr_guidance(dataset: Dataset, config: TrainConfig) -> LrGuidance:
    """Compute the bound for ``config``'s degree, standardisation, optimizer and momentum.

    NOTE: 2/λmax is exact for full-batch gradient descent. With mini-batches it bounds the
    average step. On the lesson's data at batch 128, 0.99× the bound converges and 1.01×
    diverges, but with batches of a few rows a run near the bound can go either way.
    """
    raw = polynomial_features(dataset.x, config.degree)  # (n, degree)
    standardized = Scaling.fit(raw).apply(raw)
    seen = standardized if config.standardize else raw
    lambda_max = float(np.linalg.eigvalsh(hessian(seen))[-1])
    bound = None
    if config.optimizer == "sgd" and lambda_max > 0:
        bound = 2.0 * (1.0 + config.momentum) / lambda_max
    return LrGuidance(
        lambda_max=lambda_max,
        max_stable_lr=bound,
        condition_raw=condition_number(raw),
        condition_standardized=condition_number(standardized),
        batch_size=config.batch_size,
        n_samples=len(dataset),
    )

