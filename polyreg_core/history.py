"""The per-epoch training history and its downsample for charts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHART_POINTS = 2000


@dataclass(frozen=True)
class History:
    """One row per finished epoch, weights on the original x^k scale."""

    epoch: np.ndarray  # (n_epochs,) int64, 1-based
    cost: np.ndarray  # (n_epochs,) mean mini-batch loss of the epoch, as the lesson prints it
    weights: np.ndarray  # (n_epochs, degree) after the epoch
    bias: np.ndarray  # (n_epochs,) after the epoch

    @classmethod
    def empty(cls, degree: int) -> History:
        return cls(np.zeros(0, np.int64), np.zeros(0), np.zeros((0, degree)), np.zeros(0))

    def __len__(self) -> int:
        return len(self.epoch)

    def extend(self, other: History) -> History:
        return History(
            epoch=np.concatenate([self.epoch, other.epoch]),
            cost=np.concatenate([self.cost, other.cost]),
            weights=np.concatenate([self.weights, other.weights]),
            bias=np.concatenate([self.bias, other.bias]),
        )

    def cost_for_chart(self, max_points: int = CHART_POINTS) -> tuple[np.ndarray, np.ndarray]:
        return downsample(self.epoch, self.cost, max_points)


def downsample(epoch: np.ndarray, cost: np.ndarray, max_points: int = CHART_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Thin a cost curve to at most ``max_points`` points without hiding what matters.

    The epochs are split into equal buckets and each bucket keeps its lowest and highest
    cost, besides the first and last epoch. So the overall minimum and every spike survive,
    and wherever the thinned curve reaches a new low, that low is the run's true best cost
    so far. A chart of 1,000,000 epochs then draws as fast as one of 2,000. Non-finite
    costs are dropped, so none reaches a chart.
    """
    epoch, cost = np.asarray(epoch), np.asarray(cost, dtype=np.float64)
    finite = np.isfinite(cost)
    if not finite.all():
        epoch, cost = epoch[finite], cost[finite]
    n = len(cost)
    if n <= max(max_points, 4):
        return epoch.copy(), cost.copy()

    # Two points per bucket, and room for the first and last epoch besides.
    buckets = max(1, (max_points - 2) // 2)
    size = -(-n // buckets)  # ceiling division
    padded = np.full(buckets * size, np.nan)
    padded[:n] = cost
    rows = padded.reshape(buckets, size)  # (buckets, size)
    starts = np.arange(buckets) * size
    filled = starts < n  # the last buckets can be empty when size rounds up
    padding = np.isnan(rows)
    lowest = np.where(padding, np.inf, rows)[filled].argmin(axis=1) + starts[filled]
    highest = np.where(padding, -np.inf, rows)[filled].argmax(axis=1) + starts[filled]
    keep = np.unique(np.concatenate([[0, n - 1], lowest, highest]))
    return epoch[keep], cost[keep]
