import math

import numpy as np
import pytest
import torch
from torch import nn, optim

from polyreg_core.data import Dataset, read_csv
from polyreg_core.errors import ConfigError, DataError
from polyreg_core.features import polynomial_features
from polyreg_core.model import PolyRegression
from polyreg_core.training import TrainConfig, train


def _initial_weights(seed: int, n_features: int = 2) -> tuple[np.ndarray, float]:
    model = PolyRegression(n_features)
    model.reset_parameters(torch.Generator().manual_seed(seed))
    return model.layer.weight.detach().double().numpy()[0], float(model.layer.bias.detach())


def test_one_sgd_step_matches_hand_computation(sample):
    config = TrainConfig(epochs=1, batch_size=len(sample), shuffle=False, lr=1e-4, seed=3)
    result = train(sample, config)

    w, b = _initial_weights(3)
    f = polynomial_features(sample.x).astype(np.float32).astype(np.float64)
    residual = f @ w + b - sample.y.astype(np.float32)
    grad_w = 2 / len(f) * f.T @ residual
    grad_b = 2 / len(f) * residual.sum()
    weights, bias = result.coefficients()
    np.testing.assert_allclose(weights, w - 1e-4 * grad_w, rtol=1e-6)
    assert bias == pytest.approx(b - 1e-4 * grad_b, rel=1e-5)
    assert result.history.cost[0] == pytest.approx(np.mean(residual**2), rel=1e-6)


def test_same_seed_same_weights(sample):
    a = train(sample, TrainConfig(epochs=300, seed=5)).coefficients()
    b = train(sample, TrainConfig(epochs=300, seed=5)).coefficients()
    c = train(sample, TrainConfig(epochs=300, seed=6)).coefficients()
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]
    assert not np.array_equal(a[0], c[0])


def _plain_loop(dataset: Dataset, config: TrainConfig, dtype=torch.float32) -> tuple[np.ndarray, float]:
    """The lesson's loop written out plainly: autograd, MSELoss and a torch.optim optimizer.

    Returns the layer's weights and bias, on the (possibly standardised) features it saw.
    With float64 it runs the same steps on the same float32 data without float32 rounding.
    """
    generator = torch.Generator().manual_seed(config.seed)
    model = nn.Linear(config.degree, 1)
    bound = 1 / math.sqrt(config.degree)
    with torch.no_grad():
        model.weight.uniform_(-bound, bound, generator=generator)
        model.bias.uniform_(-bound, bound, generator=generator)
    features = polynomial_features(dataset.x, config.degree)  # (n_samples, degree)
    if config.standardize:
        features = (features - features.mean(0)) / features.std(0)
    x = torch.tensor(features, dtype=torch.float32).to(dtype)
    y = torch.tensor(dataset.y, dtype=torch.float32)[:, None].to(dtype)
    model.to(dtype)
    criterion = nn.MSELoss()
    if config.optimizer == "adam":
        optimizer = optim.Adam(model.parameters(), lr=config.lr)
    else:
        optimizer = optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    n, size = len(x), config.batch_size
    for _ in range(config.epochs):
        order = torch.randperm(n, generator=generator) if config.shuffle else torch.arange(n)
        stop = n - n % size if config.drop_last else n
        for start in range(0, stop, size):
            idx = order[start : start + size]
            loss = criterion(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.weight.detach().double().numpy()[0], float(model.bias.detach())


def _layer(result) -> tuple[np.ndarray, float]:
    layer = result.model.layer
    return layer.weight.detach().double().numpy()[0], float(layer.bias.detach())


@pytest.mark.parametrize(
    "settings",
    [
        dict(),
        dict(momentum=0.5),
        dict(batch_size=64, drop_last=False),
        dict(batch_size=50),
        dict(shuffle=False),
        dict(degree=3, lr=1e-6),
        dict(degree=1, lr=1e-2),
        dict(standardize=True, lr=0.05),
    ],
    ids=["lesson", "momentum", "keep-last", "four-batches", "no-shuffle", "degree-3", "degree-1", "standardized"],
)
def test_engine_matches_plain_autograd_loop(sample, settings):
    config = TrainConfig(epochs=1000, **settings)
    weights, bias = _layer(train(sample, config))
    expected_weights, expected_bias = _plain_loop(sample, config)
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-5)
    assert bias == pytest.approx(expected_bias, rel=1e-5, abs=1e-6)


def test_engine_matches_float64_loop_when_ill_conditioned(sample):
    # Degree 4 with momentum 0.9 amplifies float32 rounding in the plain loop to about 1e-4
    # in the smallest weights; the engine computes in float64, so the oracle does too.
    config = TrainConfig(epochs=1000, standardize=True, degree=4, lr=0.02, momentum=0.9)
    weights, bias = _layer(train(sample, config))
    expected_weights, expected_bias = _plain_loop(sample, config, dtype=torch.float64)
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-6)
    assert bias == pytest.approx(expected_bias, rel=1e-6)


@pytest.mark.parametrize(
    "settings", [dict(optimizer="adam", lr=0.1), dict(optimizer="adam", lr=0.05, standardize=True, degree=3)], ids=["adam", "adam-standardized"]
)
def test_autograd_engine_matches_plain_loop(sample, settings):
    config = TrainConfig(epochs=300, **settings)
    weights, bias = _layer(train(sample, config))
    expected_weights, expected_bias = _plain_loop(sample, config)
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-5)
    assert bias == pytest.approx(expected_bias, rel=1e-5, abs=1e-6)


def test_lesson_defaults_learn_true_weights(sample):
    result = train(sample, TrainConfig())
    weights, _ = result.coefficients()
    assert weights[0] == pytest.approx(3.1, abs=0.01)
    assert weights[1] == pytest.approx(-1.7, abs=0.01)
    assert result.predict(np.array([5.0]))[0] == pytest.approx(69.4, abs=1.0)
    assert len(result.history) == 10_000


def test_lesson_file_end_to_end(lesson_csv):
    dataset = read_csv(lesson_csv.read_bytes(), lesson_csv.name)
    result = train(dataset, TrainConfig())
    weights, _ = result.coefficients()
    np.testing.assert_allclose(weights, [3.10, -1.70], atol=0.01)
    np.testing.assert_allclose(result.predict(np.array([1.0, 5.0, 11.0])), [1.80, 69.42, 356.95], atol=1.0)


def test_stop_keeps_finished_epochs(sample):
    result = train(sample, TrainConfig(epochs=100_000), should_stop=lambda: True)
    assert result.stopped
    assert 0 < result.epochs_done < 100_000
    assert len(result.history) == result.epochs_done
    assert np.isfinite(result.coefficients()[0]).all()


def test_resume_continues_the_same_run(sample):
    whole = train(sample, TrainConfig(epochs=600))
    first = train(sample, TrainConfig(epochs=250))
    second = train(sample, TrainConfig(epochs=350), resume=first)
    np.testing.assert_allclose(second.coefficients()[0], whole.coefficients()[0], rtol=1e-12)
    np.testing.assert_array_equal(second.history.epoch, np.arange(1, 601))


def test_divergence_stops_with_finite_numbers(sample):
    result = train(sample, TrainConfig(epochs=1000, lr=0.01))
    assert result.diverged_at_epoch is not None
    assert len(result.history) == result.diverged_at_epoch - 1
    assert np.isfinite(result.history.cost).all()
    assert np.isfinite(result.coefficients()[0]).all()


def test_progress_is_throttled(sample):
    reports = []
    result = train(sample, TrainConfig(epochs=20_000), on_progress=reports.append)
    assert reports[-1].epoch == 20_000
    assert len(reports) <= result.train_seconds / 0.1 + 2
    assert all(a.epoch < b.epoch for a, b in zip(reports, reports[1:]))


def test_adam_and_standardisation_fit(sample):
    for config in (TrainConfig(optimizer="adam", lr=0.1, epochs=1500), TrainConfig(standardize=True, lr=0.1, epochs=500)):
        weights, _ = train(sample, config).coefficients()
        np.testing.assert_allclose(weights, [3.1, -1.7], atol=0.02)


@pytest.mark.parametrize(
    ("config", "error", "code"),
    [
        (TrainConfig(epochs=0), ConfigError, "out_of_range"),
        (TrainConfig(lr=-1.0), ConfigError, "invalid_lr"),
        (TrainConfig(lr=math.nan), ConfigError, "invalid_lr"),
        (TrainConfig(degree=7), ConfigError, "out_of_range"),
        (TrainConfig(batch_size=500), DataError, "no_full_batch"),
        (TrainConfig(device="tpu"), ConfigError, "unknown_device"),
    ],
)
def test_config_rejects(sample, config, error, code):
    with pytest.raises(error) as caught:
        train(sample, config)
    assert caught.value.code == code


def test_batch_larger_than_data_without_drop_last(sample):
    result = train(sample, TrainConfig(epochs=10, batch_size=500, drop_last=False))
    assert len(result.history) == 10


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_matches_cpu(sample):
    cpu = train(sample, TrainConfig(epochs=1000, device="cpu")).coefficients()
    cuda = train(sample, TrainConfig(epochs=1000, device="cuda"))
    assert cuda.device.startswith("cuda")
    np.testing.assert_allclose(cuda.coefficients()[0], cpu[0], rtol=1e-5)


@pytest.mark.parametrize(
    "settings", [dict(momentum=0.9, lr=5e-5), dict(optimizer="adam", lr=0.1)], ids=["momentum", "adam"]
)
def test_continue_keeps_optimizer_state(sample, settings):
    whole = train(sample, TrainConfig(epochs=400, **settings))
    first = train(sample, TrainConfig(epochs=150, **settings))
    second = train(sample, TrainConfig(epochs=250, **settings), resume=first)
    np.testing.assert_allclose(_layer(second)[0], _layer(whole)[0], rtol=1e-6)
    np.testing.assert_array_equal(second.history.epoch, np.arange(1, 401))


def test_continue_with_new_learning_rate(sample):
    first = train(sample, TrainConfig(epochs=200, standardize=True, lr=0.01))
    second = train(sample, TrainConfig(epochs=200, standardize=True, lr=0.1), resume=first)
    assert second.config.lr == 0.1
    assert second.epochs_done == 400
    assert second.history.cost[-1] < first.history.cost[-1]
    assert first.epochs_done == 200  # the earlier result is not changed by continuing


def test_continue_rejects_other_degree(sample):
    first = train(sample, TrainConfig(epochs=10))
    with pytest.raises(ConfigError) as caught:
        train(sample, TrainConfig(epochs=10, degree=3), resume=first)
    assert caught.value.code == "resume_mismatch"


def test_continue_after_divergence_with_smaller_rate(sample):
    diverged = train(sample, TrainConfig(epochs=100, lr=0.01))
    assert diverged.diverged_at_epoch is not None
    calmer = train(sample, TrainConfig(epochs=2000, lr=1e-4), resume=diverged)
    assert calmer.diverged_at_epoch is None
    assert np.isfinite(calmer.history.cost).all()
    assert calmer.history.cost[-1] < diverged.history.cost[-1]


def test_autograd_stop_inside_long_epoch_rolls_back(sample):
    # 300 batches of one row: long enough for the stop check inside an epoch.
    rows = Dataset(x=np.resize(sample.x, 300), y=np.resize(sample.y, 300), name="long.csv")
    calls = []

    def stop_during_second_epoch():
        calls.append(1)
        return len(calls) > 2

    result = train(rows, TrainConfig(epochs=50, batch_size=1, optimizer="adam", lr=0.01), should_stop=stop_during_second_epoch)
    assert result.stopped
    assert result.epochs_done == 1
    np.testing.assert_allclose(result.coefficients()[0], result.history.weights[-1], rtol=1e-6)


@pytest.mark.parametrize(("factor", "diverges"), [(0.98, False), (1.05, True)])
def test_max_stable_lr_is_the_full_batch_bound(sample, factor, diverges):
    bound = train(sample, TrainConfig(epochs=1)).max_stable_lr
    config = TrainConfig(epochs=3000, lr=factor * bound, batch_size=len(sample), shuffle=False)
    result = train(sample, config)
    assert (result.diverged_at_epoch is not None) == diverges
    assert np.isfinite(result.history.cost).all()


def test_max_stable_lr_with_momentum_and_standardisation(sample):
    plain = train(sample, TrainConfig(epochs=1))
    momentum = train(sample, TrainConfig(epochs=1, momentum=0.5))
    standardized = train(sample, TrainConfig(epochs=1, standardize=True, lr=0.1))
    assert momentum.max_stable_lr == pytest.approx(1.5 * plain.max_stable_lr)
    assert standardized.max_stable_lr == pytest.approx(plain.max_stable_lr_standardized)
    assert plain.max_stable_lr_standardized > 1000 * plain.max_stable_lr


def test_progress_costs_add_up_to_history(sample):
    reports = []
    result = train(sample, TrainConfig(epochs=30_000), on_progress=reports.append)
    costs = np.concatenate([r.recent_costs for r in reports])
    np.testing.assert_array_equal(costs, result.history.cost)


def test_divergence_reports_no_bad_numbers(sample):
    reports = []
    result = train(sample, TrainConfig(epochs=1000, lr=0.003), on_progress=reports.append)
    assert result.diverged_at_epoch is not None
    assert all(np.isfinite(r.cost) and np.isfinite(r.weights).all() and np.isfinite(r.recent_costs).all() for r in reports)
    assert np.isfinite(result.max_stable_lr)


def test_adam_divergence_restores_finite_weights(sample):
    result = train(sample, TrainConfig(epochs=100, lr=1e6, optimizer="adam"))
    assert result.diverged_at_epoch is not None
    assert np.isfinite(result.coefficients()[0]).all()
    assert np.isfinite(result.predict(np.array([5.0]))).all()
