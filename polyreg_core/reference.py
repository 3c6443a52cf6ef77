"""Closed-form answers to check SGD against: the least-squares optimum and stability bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Optimum:
    """The exact minimiser of the mean squared error on the given features."""

    weights: tuple[float, ...]
    bias: float
    cost: float  # mean squared error at the optimum


def _with_bias_column(features: np.ndarray) -> np.ndarray:
    return np.column_stack([features, np.ones(len(features))])  # (n_samples, n_features + 1)


def least_squares(features: np.ndarray, y: np.ndarray) -> Optimum:
    """Solve min ‖[F, 1]·θ − y‖² by SVD (``numpy.linalg.lstsq``), which copes with the poor
    conditioning of high powers of x."""
    design = _with_bias_column(features)
    theta, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = design @ theta - y
    return Optimum(weights=tuple(theta[:-1]), bias=float(theta[-1]), cost=float(np.mean(residual**2)))


def hessian(features: np.ndarray) -> np.ndarray:
    """Hessian of the mean squared error in (weights, bias): (2/n)·AᵀA with A = [F, 1]."""
    design = _with_bias_column(features)
    return 2.0 / len(design) * design.T @ design


def max_stable_lr(features: np.ndarray, momentum: float = 0.0) -> float:
    """Largest learning rate for which full-batch gradient descent does not diverge.

    That is 2/λmax of the Hessian, or 2(1 + β)/λmax with momentum β as ``torch.optim.SGD``
    applies it (heavy-ball momentum on a quadratic). Mini-batches see slightly different
    Hessians, so near the bound a run can still wobble.
    """
    return float(2.0 * (1.0 + momentum) / np.linalg.eigvalsh(hessian(features))[-1])


def condition_number(features: np.ndarray) -> float:
    """λmax/λmin of the Hessian: how much slower the flattest direction learns than the
    steepest one at the largest stable learning rate."""
    eigenvalues = np.linalg.eigvalsh(hessian(features))
    return float(eigenvalues[-1] / max(eigenvalues[0], np.finfo(float).tiny))
