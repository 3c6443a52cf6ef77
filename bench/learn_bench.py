"""Benchmark of the Learn page's numbers: the exact optimum, the landscape grid, and the size
and build time of the figures that the replay resends at every tick.

Run with ``make bench-learn``. Prints the median of several runs; nothing here is a test.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from polyreg_app.insight_charts import landscape_chart, replay_cost_chart, replay_fit_chart
from polyreg_core import insight
from polyreg_core.data import Dataset, read_csv
from polyreg_core.insight import cost_geometry, parameters, sample_indices
from polyreg_core.landscape import GRID_POINTS, landscape, view_box
from polyreg_core.training import TrainConfig, train

REPEATS = 7
SAMPLE = "data/dataset.csv"
PATH_POINTS, CURVE_POINTS = 500, 1000  # as app_pages/learn.py draws them


def median_ms(work, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def uncached_optimum(dataset: Dataset, degree: int) -> float:
    def work():
        insight._cache.clear()
        cost_geometry(dataset, degree)

    return median_ms(work)


def replay_frame(dataset: Dataset, result) -> tuple[float, dict[str, int]]:
    """Build the three figures of one replay tick; return the median ms and their JSON sizes."""
    geometry = cost_geometry(dataset, 2)
    history = result.history
    thetas = parameters(history.weights, history.bias)
    path = thetas[sample_indices(len(thetas), PATH_POINTS), :2]
    rows = sample_indices(len(history), CURVE_POINTS)
    index = len(history) // 2
    epoch, theta = int(history.epoch[index]), thetas[index]

    def figures():
        box = view_box(np.concatenate([path, geometry.theta[None, :2]]), geometry.theta[:2])
        land = landscape(geometry, *box)
        names = ("w1 (x²)", "w2 (x)")
        return {
            "landscape": landscape_chart(land, names, path, geometry.theta, None, (epoch, theta[:2]), "en"),
            "fit": replay_fit_chart(dataset, epoch, theta, geometry.theta, "en"),
            "cost": replay_cost_chart(
                history.epoch[rows], history.cost[rows], geometry.cost(thetas[rows]), geometry.optimum.cost, epoch, "en"
            ),
        }

    sizes = {name: len(fig.to_json()) for name, fig in figures().items()}
    return median_ms(figures), sizes


def main() -> None:
    sample = read_csv(open(SAMPLE, "rb").read(), SAMPLE)
    rng = np.random.default_rng(0)
    x = rng.uniform(-10, 10, 1_000_000)
    big = Dataset(x=x, y=3.1 * x**2 - 1.7 * x + rng.uniform(0.01, 0.99, len(x)), name="big")

    print(f"exact optimum, {len(sample)} rows, degree 2: {uncached_optimum(sample, 2):.2f} ms (uncached)")
    print(f"exact optimum, {len(big):,} rows, degree 2: {uncached_optimum(big, 2):.1f} ms (uncached)")
    print(f"exact optimum, {len(big):,} rows, degree 6: {uncached_optimum(big, 6):.1f} ms (uncached)")
    print(f"cached look-up, {len(big):,} rows (hashes the values): {median_ms(lambda: cost_geometry(big, 2)):.1f} ms")

    geometry = cost_geometry(sample, 2)
    box = ((0.0, 4.0), (-2.5, 1.0))
    print(f"landscape grid {GRID_POINTS}×{GRID_POINTS}: {median_ms(lambda: landscape(geometry, *box)):.2f} ms")

    for epochs in (10_000, 100_000):
        result = train(sample, TrainConfig(epochs=epochs))
        ms, sizes = replay_frame(sample, result)
        total = sum(sizes.values())
        detail = ", ".join(f"{name} {size / 1000:.0f} kB" for name, size in sizes.items())
        print(f"replay tick, {epochs:,}-epoch history: {ms:.0f} ms to build, {total / 1000:.0f} kB of JSON ({detail})")


if __name__ == "__main__":
    main()
