"""The loss landscape: the cost over the first two parameters, every other one at its best.

For the lesson's degree 2 the axes are w1 (x²) and w2 (x), with b at its best value for each
point. For degree 1 they are w1 and b, so nothing is left to optimise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyreg_core.insight import CostGeometry

# Each grid point costs one 2×2 quadratic form whatever the number of rows, so the 81 × 81
# grid takes about 0.04 ms. What limits the size is the figure that the browser receives and
# redraws at every replay tick. 81 × 81 float32 log-costs are 26 kB (35 kB as plotly's
# base64), and the landscape figure with its path is about 60 kB (bench/learn_bench.py).
# Doubling the side would quadruple that for contours that look the same at chart size.
GRID_POINTS = 81
PADDING = 0.15  # of the span, on each side of the points the view must contain
ZOOM_LEVELS = (1, 4, 16, 64, 256)


@dataclass(frozen=True)
class Landscape:
    """The cost on a regular grid over the first two parameters."""

    u: np.ndarray  # (GRID_POINTS,) values of the first parameter, the x axis
    v: np.ndarray  # (GRID_POINTS,) values of the second parameter, the y axis
    cost: np.ndarray  # (len(v), len(u)): row j is v[j], as plotly's contour reads z


def view_box(points: np.ndarray, center: np.ndarray, zoom: float = 1) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges that contain ``points`` (k, 2) with some padding; ``zoom`` > 1 narrows them
    around ``center`` (the optimum) by that factor."""
    points = points[np.isfinite(points).all(axis=1)]
    low, high = points.min(axis=0), points.max(axis=0)
    # A run that starts at the optimum still needs a visible neighbourhood.
    span = np.maximum(high - low, 1e-3 * np.maximum(np.abs(center), 1.0))
    low, high = low - PADDING * span, high + PADDING * span
    if zoom > 1:
        reach = np.maximum(np.abs(high - center), np.abs(center - low)) / zoom
        low, high = center - reach, center + reach
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


def landscape(geometry: CostGeometry, u_range: tuple[float, float], v_range: tuple[float, float], points: int = GRID_POINTS) -> Landscape:
    u = np.linspace(*u_range, points)
    v = np.linspace(*v_range, points)
    du = u[None, :] - geometry.theta[0]  # (1, points)
    dv = v[:, None] - geometry.theta[1]  # (points, 1)
    q = geometry.plane_curvature
    gap = q[0, 0] * du**2 + 2 * q[0, 1] * du * dv + q[1, 1] * dv**2  # (points, points)
    return Landscape(u=u, v=v, cost=geometry.optimum.cost + np.maximum(gap, 0.0))


def profiled_cost(geometry: CostGeometry, plane_points: np.ndarray) -> np.ndarray:
    """Return the landscape's value at (k, 2) points: the lowest cost reachable from them by
    moving only the other parameters. A run's own cost is at least this."""
    delta = plane_points - geometry.theta[:2]
    gap = np.einsum("kp,pq,kq->k", delta, geometry.plane_curvature, delta)
    return geometry.optimum.cost + np.maximum(gap, 0.0)
