"""The numbers behind the Learn page: optimum, distances, landscape, metrics, guidance, one step."""

import json
import math

import numpy as np
import pytest

from polyreg_core.data import Dataset, Reference, read_csv
from polyreg_core.features import MAX_DEGREE, MIN_DEGREE, Scaling, polynomial_features
from polyreg_core.guidance import LR_INPUT_RANGE, PRESET_FACTORS, lr_guidance
from polyreg_core.insight import (
    cost_geometry,
    distances,
    exact_optimum,
    fit_metrics,
    predict_with,
    sample_indices,
    true_parameters,
)
from polyreg_core.landscape import landscape, profiled_cost, view_box
from polyreg_core.step import explain_step
from polyreg_core.training import TrainConfig, train
from tests.test_cli import run_cli

LESSON_OPTIMUM = (3.0999, -1.7033, 0.4942)  # numpy.polyfit on the lesson's dataset.csv, rounded


def _mse(dataset: Dataset, theta: np.ndarray) -> float:
    return float(np.mean((predict_with(theta, dataset.x) - dataset.y) ** 2))


@pytest.mark.parametrize("degree", range(MIN_DEGREE, MAX_DEGREE + 1))
def test_optimum_matches_polyfit(sample, degree):
    optimum = exact_optimum(sample, degree)
    expected = np.polyfit(sample.x, sample.y, degree)  # highest power first, constant last
    np.testing.assert_allclose([*optimum.weights, optimum.bias], expected, rtol=1e-6)


def test_optimum_cost_is_its_mse(sample):
    geometry = cost_geometry(sample, 2)
    assert geometry.optimum.cost == pytest.approx(_mse(sample, geometry.theta), rel=1e-12)


def test_lesson_optimum(lesson_csv):
    dataset = read_csv(lesson_csv.read_bytes(), lesson_csv.name)
    optimum = exact_optimum(dataset, 2)
    np.testing.assert_allclose([*optimum.weights, optimum.bias], np.polyfit(dataset.x, dataset.y, 2), rtol=1e-6)
    np.testing.assert_allclose([*optimum.weights, optimum.bias], LESSON_OPTIMUM, atol=5e-5)


def test_optimum_is_cached_per_dataset_and_degree(sample):
    assert cost_geometry(sample, 2) is cost_geometry(sample, 2)
    assert cost_geometry(sample, 3) is not cost_geometry(sample, 2)
    shifted = Dataset(x=sample.x, y=sample.y + 1.0, name=sample.name)
    assert exact_optimum(shifted, 2).bias == pytest.approx(exact_optimum(sample, 2).bias + 1.0)


def test_quadratic_cost_equals_direct_mse(sample):
    geometry = cost_geometry(sample, 2)
    rng = np.random.default_rng(1)
    thetas = geometry.theta + rng.normal(0, 0.5, size=(5, 3))
    direct = [_mse(sample, theta) for theta in thetas]
    np.testing.assert_allclose(geometry.cost(thetas), direct, rtol=1e-9)


def test_distances_shrink_over_a_run(sample):
    geometry = cost_geometry(sample, 2)
    result = train(sample, TrainConfig(epochs=3000))
    found = distances(geometry, result.history, max_points=100)
    assert found.epoch[0] == 1
    assert found.epoch[-1] == 3000
    assert len(found.epoch) == 100
    assert found.weights[-1] < found.weights[0] / 10
    assert found.cost_gap[-1] < found.cost_gap[0] / 100
    assert (found.cost_gap >= 0).all()
    last = np.array([*result.history.weights[-1], result.history.bias[-1]])
    assert found.cost_gap[-1] == pytest.approx(_mse(sample, last) - geometry.optimum.cost, rel=1e-6)
    assert found.weights[-1] == pytest.approx(np.linalg.norm(last[:2] - geometry.theta[:2]))


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_landscape_profiles_other_parameters(sample, degree):
    geometry = cost_geometry(sample, degree)
    point = geometry.theta[:2] + np.array([0.3, -0.2])
    # brute force: least squares over every parameter but the first two
    design = np.column_stack([polynomial_features(sample.x, degree), np.ones(len(sample))])
    rest = sample.y - design[:, :2] @ point
    others, *_ = np.linalg.lstsq(design[:, 2:], rest, rcond=None) if degree > 1 else (np.zeros(0),)
    expected = np.mean((rest - design[:, 2:] @ others) ** 2)
    assert profiled_cost(geometry, point[None, :])[0] == pytest.approx(expected, rel=1e-9)


def test_landscape_grid_is_lowest_at_optimum(sample):
    geometry = cost_geometry(sample, 2)
    u_range, v_range = view_box(geometry.theta[None, :2], geometry.theta[:2])
    land = landscape(geometry, (u_range[0], u_range[1]), (v_range[0], v_range[1]), points=41)
    j, i = np.unravel_index(np.argmin(land.cost), land.cost.shape)
    assert land.u[i] == pytest.approx(geometry.theta[0], abs=(land.u[1] - land.u[0]))
    assert land.v[j] == pytest.approx(geometry.theta[1], abs=(land.v[1] - land.v[0]))
    assert land.cost.min() >= geometry.optimum.cost
    expected = profiled_cost(geometry, np.array([[land.u[3], land.v[7]]]))[0]
    assert land.cost[7, 3] == pytest.approx(expected)


def test_view_box_contains_points_and_zooms_on_center():
    points = np.array([[0.0, 0.0], [3.0, -2.0]])
    center = np.array([3.0, -2.0])
    (u0, u1), (v0, v1) = view_box(points, center)
    assert u0 < 0 < 3 < u1
    assert v0 < -2 < 0 < v1
    (z0, z1), (w0, w1) = view_box(points, center, zoom=4)
    assert (z0 + z1) / 2 == pytest.approx(3.0)
    assert (w0 + w1) / 2 == pytest.approx(-2.0)
    assert z1 - z0 < (u1 - u0) / 2


def test_fit_metrics_by_hand():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    predicted = np.array([1.5, 2.0, 2.0, 4.0])
    metrics = fit_metrics(y, predicted)
    assert metrics.r2 == pytest.approx(1 - (0.25 + 0 + 1 + 0) / 5.0)
    assert metrics.rmse == pytest.approx(math.sqrt(1.25 / 4))
    assert metrics.mae == pytest.approx(1.5 / 4)
    assert fit_metrics(y, y).r2 == 1.0
    assert math.isnan(fit_metrics(np.ones(3), np.zeros(3)).r2)


def test_true_parameters_per_degree():
    reference = Reference(weights=(3.1, -1.7), bias=0.5)
    np.testing.assert_array_equal(true_parameters(reference, 2), [3.1, -1.7, 0.5])
    np.testing.assert_array_equal(true_parameters(reference, 3), [0.0, 3.1, -1.7, 0.5])
    assert true_parameters(reference, 1) is None
    assert true_parameters(None, 2) is None
    assert math.isnan(true_parameters(Reference(), 2)[-1])


def test_sample_indices_keep_first_and_last():
    rows = sample_indices(1_000_000, 500)
    assert rows[0] == 0
    assert rows[-1] == 999_999
    assert len(rows) == 500
    np.testing.assert_array_equal(sample_indices(7, 500), np.arange(7))


def test_max_stable_lr_is_two_over_lambda_max(sample):
    guidance = lr_guidance(sample, TrainConfig())
    design = np.column_stack([polynomial_features(sample.x), np.ones(len(sample))])
    hessian = 2 / len(sample) * design.T @ design
    assert guidance.max_stable_lr == pytest.approx(2 / np.linalg.eigvalsh(hessian)[-1])
    assert guidance.condition_raw > 1000
    assert guidance.condition_standardized < 2
    assert [factor for factor, _ in guidance.presets()] == list(PRESET_FACTORS)
    assert [lr for _, lr in guidance.presets()] == [0.00025, 0.000495, 0.00055]


def test_guidance_follows_settings(sample):
    plain = lr_guidance(sample, TrainConfig()).max_stable_lr
    assert lr_guidance(sample, TrainConfig(momentum=0.5)).max_stable_lr == pytest.approx(1.5 * plain)
    assert lr_guidance(sample, TrainConfig(standardize=True)).max_stable_lr > 1000 * plain
    assert lr_guidance(sample, TrainConfig(optimizer="adam")).max_stable_lr is None
    assert lr_guidance(sample, TrainConfig(optimizer="adam")).presets() == []
    # x⁶ reaches 10⁶ here, so the bound falls below what the learning-rate input accepts.
    tiny = lr_guidance(sample, TrainConfig(degree=6))
    assert tiny.max_stable_lr < LR_INPUT_RANGE[0]
    assert [lr for _, lr in tiny.presets()] == [None, None, None]


@pytest.mark.parametrize(
    ("settings", "factor", "diverges"),
    [
        (dict(), 0.5, False),
        (dict(), 0.99, False),
        (dict(), 1.1, True),
        (dict(standardize=True), 0.99, False),
        (dict(standardize=True), 1.1, True),
        (dict(momentum=0.5), 1.1, True),
    ],
)
def test_presets_converge_or_diverge(sample, settings, factor, diverges):
    bound = lr_guidance(sample, TrainConfig(**settings)).max_stable_lr
    result = train(sample, TrainConfig(epochs=2000, lr=factor * bound, **settings))
    assert (result.diverged_at_epoch is not None) == diverges


@pytest.mark.parametrize("standardize", [False, True])
def test_explained_step_is_the_first_training_step(sample, standardize):
    # 200 rows, batch 128, drop-last: one step per epoch, so one epoch is one step.
    config = TrainConfig(epochs=1, standardize=standardize, seed=4)
    step = explain_step(sample, config)
    result = train(sample, config)
    layer = result.model.layer
    trained = np.array([*layer.weight.detach().double().numpy()[0], float(layer.bias.detach())])
    assert step.epoch == 1
    assert len(step.rows) == 128
    np.testing.assert_allclose(step.updated, trained, rtol=1e-5)
    np.testing.assert_allclose(step.gradient, step.formula_gradient, rtol=1e-9)
    assert step.loss == pytest.approx(result.history.cost[0], rel=1e-5)


def test_explained_step_continues_a_run(sample):
    first = train(sample, TrainConfig(epochs=300))
    step = explain_step(sample, TrainConfig(lr=1.0), first)
    assert step.epoch == 301
    assert step.lr == first.config.lr
    # the explanation works on a copy: the trained model has no gradient and the same weights
    assert first.model.layer.weight.grad is None
    np.testing.assert_array_equal(step.params[:2], first.model.layer.weight.detach().double().numpy()[0])
    # Continue trains first.model itself, one more epoch of one step
    after = train(sample, TrainConfig(epochs=1), resume=first)
    layer = after.model.layer
    np.testing.assert_allclose(step.updated[:2], layer.weight.detach().double().numpy()[0], rtol=1e-5)
    assert step.updated[2] == pytest.approx(float(layer.bias.detach()), rel=1e-5)


def test_explained_step_without_shuffle_takes_first_rows(sample):
    step = explain_step(sample, TrainConfig(shuffle=False, batch_size=16))
    np.testing.assert_array_equal(step.rows, np.arange(16))
    np.testing.assert_allclose(step.features[:, 1], sample.x[:16])


def test_explained_step_rejects_bad_settings(sample):
    from polyreg_core.errors import DataError

    with pytest.raises(DataError):
        explain_step(sample, TrainConfig(batch_size=500))


def test_cli_json_has_optimum(sample):
    done = run_cli("train", "data/dataset.csv", "--json", "--epochs", "100")
    assert done.returncode == 0, done.stderr
    optimum = json.loads(done.stdout)["optimum"]
    expected = np.polyfit(sample.x, sample.y, 2)
    np.testing.assert_allclose([*optimum["weights"], optimum["bias"]], expected, rtol=1e-6)
    assert optimum["cost"] == pytest.approx(exact_optimum(sample, 2).cost)


def test_cli_text_prints_optimum():
    done = run_cli("train", "data/dataset.csv", "--epochs", "100", "--predict", "5", lang="ko")
    lines = done.stdout.splitlines()
    assert lines[-2] == "정확한 최적해: 가중치 [3.1011, -1.7014]  편향 0.4879  비용 0.0748"
    assert lines[-1].startswith("x = 5")


def test_scaling_does_not_move_optimum(sample):
    # The optimum is cached per dataset and degree only. That is correct because an affine map
    # of the features leaves the fitted curve unchanged.
    raw = polynomial_features(sample.x)
    scaling = Scaling.fit(raw)
    design = np.column_stack([scaling.apply(raw), np.ones(len(raw))])
    theta, *_ = np.linalg.lstsq(design, sample.y, rcond=None)
    weights, bias = scaling.to_original(theta[:-1], theta[-1])
    optimum = exact_optimum(sample, 2)
    np.testing.assert_allclose([*weights, bias], [*optimum.weights, optimum.bias], rtol=1e-9)
