"""Where SGD is heading: the exact optimum of a dataset, the distance of a run to it, and how
well a set of coefficients fits.

The mean squared error of a linear model is a quadratic in its parameters θ = (w, b), so
around the exact minimiser θ* it is cost(θ) = cost* + (θ − θ*)ᵀ·M·(θ − θ*) with M = AᵀA/n
and A = [features, 1]. Every number here uses that form instead of a pass over the rows:
it costs nothing per epoch and, unlike cost(θ) − cost* by subtraction, stays exact near θ*.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from polyreg_core.data import Dataset, Reference
from polyreg_core.features import polynomial_features
from polyreg_core.reference import Optimum, hessian, least_squares
from polyreg_core.training import History

CACHE_SIZE = 32  # datasets × degrees kept per server; each entry is a few small arrays


@dataclass(frozen=True)
class CostGeometry:
    """The cost of one dataset at one degree as a quadratic around its exact minimum."""

    degree: int
    optimum: Optimum
    theta: np.ndarray  # (p,) θ* = (w*, b*), p = degree + 1
    curvature: np.ndarray  # (p, p) M = AᵀA/n, half the Hessian
    plane_curvature: np.ndarray  # (2, 2) M of the first two parameters with all others at their best

    def cost(self, thetas: np.ndarray) -> np.ndarray:
        """Mean squared error on all rows at each row of ``thetas`` (k, p)."""
        delta = np.atleast_2d(thetas) - self.theta  # (k, p)
        gap = np.einsum("kp,pq,kq->k", delta, self.curvature, delta)
        # M is positive semi-definite, so a negative gap is rounding error.
        return self.optimum.cost + np.maximum(gap, 0.0)


_cache: OrderedDict[tuple[str, int], CostGeometry] = OrderedDict()
_cache_lock = threading.Lock()


def cost_geometry(dataset: Dataset, degree: int) -> CostGeometry:
    """Solve the least-squares problem of ``dataset`` at ``degree`` once per server.

    The result depends only on the values and the degree, not on standardisation (the bias
    column absorbs any shift and the weights any scale), so it is cached by the dataset's
    fingerprint and the degree. It contains no model, so sharing it across sessions is safe.
    """
    key = (dataset.fingerprint, degree)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    geometry = _solve(dataset, degree)
    with _cache_lock:
        _cache[key] = geometry
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return geometry


def _solve(dataset: Dataset, degree: int) -> CostGeometry:
    features = polynomial_features(dataset.x, degree)  # (n, degree)
    optimum = least_squares(features, dataset.y)
    theta = np.array([*optimum.weights, optimum.bias], dtype=np.float64)
    design = np.column_stack([features, np.ones(len(features))])  # (n, p)
    return CostGeometry(
        degree=degree,
        optimum=optimum,
        theta=theta,
        curvature=hessian(features) / 2,
        plane_curvature=_profiled_curvature(design),
    )


def _profiled_curvature(design: np.ndarray) -> np.ndarray:
    """Curvature of the cost over the first two parameters when every other one is at its
    best value for that point.

    Minimising over the other columns C leaves the part of the first two columns that C
    cannot explain, P⊥·A₁₂ with P⊥ = I − C·C⁺, and the cost over those two is then
    cost* + (u − u*)ᵀ·(Ãᵀ·Ã/n)·(u − u*). For degree 2, C is the column of ones and this is
    the covariance of [x², x]: b follows the mean of y − w·f.
    """
    plane, others = design[:, :2], design[:, 2:]  # (n, 2), (n, p − 2)
    if others.shape[1]:
        coefficients, *_ = np.linalg.lstsq(others, plane, rcond=None)
        plane = plane - others @ coefficients
    return plane.T @ plane / len(plane)


def exact_optimum(dataset: Dataset, degree: int) -> Optimum:
    return cost_geometry(dataset, degree).optimum


def parameters(weights: np.ndarray, bias: np.ndarray | float) -> np.ndarray:
    """Stack weights (k, degree) and bias (k,) into θ rows (k, degree + 1)."""
    return np.column_stack([np.atleast_2d(weights), np.atleast_1d(bias)])


def true_parameters(reference: Reference | None, degree: int) -> np.ndarray | None:
    """θ of the reference curve a·x² + b·x + c in the features of ``degree``, or None.

    Higher powers get weight 0. Degree 1 cannot express the curve, so it has no true point.
    The bias is NaN when the reference does not know it (an uploaded file).
    """
    if reference is None or degree < 2:
        return None
    bias = np.nan if reference.bias is None else reference.bias
    return np.array([0.0] * (degree - 2) + [*reference.weights, bias], dtype=np.float64)


def sample_indices(n: int, max_points: int) -> np.ndarray:
    """Evenly spaced row indices of a history of n epochs for drawing, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


@dataclass(frozen=True)
class Distances:
    """How far a run was from the exact optimum after each sampled epoch."""

    epoch: np.ndarray  # (k,)
    weights: np.ndarray  # (k,) ‖w − w*‖, Euclidean, on the original x^k scale
    bias: np.ndarray  # (k,) |b − b*|
    cost_gap: np.ndarray  # (k,) cost(θ) − cost* on all rows, ≥ 0


def distances(geometry: CostGeometry, history: History, max_points: int = 2000) -> Distances:
    rows = sample_indices(len(history), max_points)
    thetas = parameters(history.weights[rows], history.bias[rows])  # (k, p)
    delta = thetas - geometry.theta
    return Distances(
        epoch=history.epoch[rows],
        weights=np.linalg.norm(delta[:, :-1], axis=1),
        bias=np.abs(delta[:, -1]),
        cost_gap=geometry.cost(thetas) - geometry.optimum.cost,
    )


@dataclass(frozen=True)
class FitMetrics:
    r2: float  # coefficient of determination, 1 − SS_res/SS_tot; NaN when y is constant
    rmse: float
    mae: float


def fit_metrics(y: np.ndarray, predicted: np.ndarray) -> FitMetrics:
    residual = np.asarray(y, dtype=np.float64) - np.asarray(predicted, dtype=np.float64)
    total = float(np.sum((y - np.mean(y)) ** 2))
    r2 = 1.0 - float(np.sum(residual**2)) / total if total > 0 else float("nan")
    return FitMetrics(r2=r2, rmse=float(np.sqrt(np.mean(residual**2))), mae=float(np.mean(np.abs(residual))))


def predict_with(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y = [x^d, …, x]·w + b for the parameter row θ = (w, b), in float64."""
    degree = len(theta) - 1
    return polynomial_features(np.asarray(x, dtype=np.float64), degree) @ theta[:-1] + theta[-1]
