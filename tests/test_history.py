import numpy as np
import pytest

from polyreg_core.history import downsample


def _noisy_decay(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 100 * np.exp(-np.arange(n) / (n / 10)) + rng.uniform(0, 1, n)


def test_short_curve_passes_through():
    cost = np.array([3.0, 2.0, 2.5])
    epochs, kept = downsample(np.arange(1, 4), cost, max_points=10)
    np.testing.assert_array_equal(epochs, [1, 2, 3])
    np.testing.assert_array_equal(kept, cost)


@pytest.mark.parametrize("n", [2001, 10_000, 123_457, 1_000_000])
def test_size_is_bounded(n):
    epochs, kept = downsample(np.arange(1, n + 1), _noisy_decay(n), max_points=2000)
    assert len(kept) <= 2000
    assert len(epochs) == len(kept)


def test_first_last_min_max_kept():
    n = 50_000
    cost = _noisy_decay(n)
    cost[31_337] = 1e6  # a spike
    cost[40_000] = -5.0  # a dip below everything else
    epochs, kept = downsample(np.arange(1, n + 1), cost, max_points=500)
    assert epochs[0] == 1
    assert epochs[-1] == n
    assert 31_338 in epochs
    assert 40_001 in epochs
    assert kept.min() == cost.min()
    assert kept.max() == cost.max()


def test_kept_points_are_real_epochs_in_order():
    n = 30_000
    cost = _noisy_decay(n, seed=3)
    epochs, kept = downsample(np.arange(1, n + 1), cost, max_points=300)
    assert np.all(np.diff(epochs) > 0)
    np.testing.assert_array_equal(kept, cost[epochs - 1])


def test_every_new_best_is_the_true_best_so_far():
    # Where the thinned curve reaches a new low, that low is the full curve's best so far,
    # so a chart never shows a better cost than the run had reached by that epoch.
    n = 100_000
    cost = _noisy_decay(n, seed=7)
    epochs, kept = downsample(np.arange(1, n + 1), cost, max_points=1000)
    thinned_best = np.minimum.accumulate(kept)
    full_best = np.minimum.accumulate(cost)[epochs - 1]
    new_lows = kept == thinned_best
    assert new_lows.sum() > 10
    np.testing.assert_array_equal(thinned_best[new_lows], full_best[new_lows])
    assert thinned_best[-1] == cost.min()


def test_non_finite_costs_never_reach_a_chart():
    cost = np.array([5.0, np.nan, 4.0, np.inf, 3.0, -np.inf])
    epochs, kept = downsample(np.arange(1, 7), cost)
    np.testing.assert_array_equal(epochs, [1, 3, 5])
    assert np.isfinite(kept).all()
