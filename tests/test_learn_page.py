"""AppTest of the Learn page and the Train page's additions, checked on the figures' numbers."""

import base64
import json

import numpy as np
import pytest

from polyreg_core.guidance import lr_guidance
from polyreg_core.insight import cost_geometry, fit_metrics, predict_with
from polyreg_core.training import TrainConfig
from tests.test_pages import new_app, open_page, train, wait_for_training

LESSON_OPTIMUM = (3.0999, -1.7033, 0.4942)


def values(data) -> np.ndarray:
    """A plotly array from figure JSON: a plain list, or the typed base64 that plotly sends
    for numpy arrays."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        shape = data.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    return np.asarray(data, dtype=float)


def figure(at, title_start: str) -> dict:
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def lesson_upload(at, path) -> None:
    """Load the lesson's own dataset.csv through the Data page's uploader."""
    at.radio(key="data_source").set_value("upload").run()
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert at.session_state["dataset"].name == path.name


def trace(spec: dict, name: str) -> dict:
    for data in spec["data"]:
        if data.get("name") == name:
            return data
    raise AssertionError(f"no trace {name!r} in {[d.get('name') for d in spec['data']]}")


@pytest.fixture(scope="module")
def trained():
    """One English session trained for 3,000 epochs on the bundled sample, on the Learn page."""
    at = train(new_app("en"), epochs=3000)
    return open_page(at, "learn")


def test_learn_page_without_model_guides_user():
    at = open_page(new_app("en"), "learn")
    assert not at.exception
    assert at.info[0].value.startswith("No trained model")


def test_learn_page_loads_in_korean():
    at = open_page(train(new_app("ko"), epochs=200), "learn")
    assert not at.exception
    assert at.title[0].value == "학습 들여다보기"
    assert figure(at, "정확한 최적해까지의 거리")


def test_table_has_true_optimum_learned_rows(trained):
    result = trained.session_state["result"]
    table = trained.dataframe[0].value
    assert list(table.index[:3]) == ["True", "Exact optimum", "Learned"]
    assert list(table.columns) == ["w1 (x²)", "w2 (x)", "b", "Cost (MSE, all rows)"]
    dataset = trained.session_state["result_dataset"]
    expected = np.polyfit(dataset.x, dataset.y, 2)
    np.testing.assert_allclose(table.loc["Exact optimum"].iloc[:3], expected, rtol=1e-6)
    weights, bias = result.coefficients()
    np.testing.assert_allclose(table.loc["Learned"].iloc[:3], [*weights, bias])
    np.testing.assert_allclose(table.loc["True"].iloc[:3], [3.1, -1.7, 0.5])
    difference = table.loc["Learned − optimum"].iloc[:3]
    np.testing.assert_allclose(difference, np.array([*weights, bias]) - expected, rtol=1e-6, atol=1e-9)


def test_landscape_marks_optimum_and_path(trained):
    result = trained.session_state["result"]
    dataset = trained.session_state["result_dataset"]
    spec = figure(trained, "Cost over w1 (x²) and w2 (x)")
    optimum = trace(spec, "exact optimum")
    expected = np.polyfit(dataset.x, dataset.y, 2)
    np.testing.assert_allclose([values(optimum["x"])[0], values(optimum["y"])[0]], expected[:2], rtol=1e-6)
    np.testing.assert_allclose(values(optimum["customdata"][0]), expected, rtol=1e-6)

    path = trace(spec, "SGD path")
    x, y = values(path["x"]), values(path["y"])
    history = result.history
    np.testing.assert_allclose([x[0], y[0]], history.weights[0])
    np.testing.assert_allclose([x[-1], y[-1]], history.weights[-1])
    # the run ends near the optimum: much nearer than it started
    start = np.hypot(x[0] - expected[0], y[0] - expected[1])
    end = np.hypot(x[-1] - expected[0], y[-1] - expected[1])
    assert end < start / 20

    contour = spec["data"][0]
    assert contour["type"] == "contour"
    z = values(contour["z"])
    assert z.shape == (81, 81)
    geometry = cost_geometry(dataset, 2)
    assert 10 ** z.min() >= geometry.optimum.cost * 0.999


def test_residual_chart_carries_r2(trained):
    result = trained.session_state["result"]
    dataset = trained.session_state["result_dataset"]
    learned_r2 = fit_metrics(dataset.y, result.predict(dataset.x)).r2
    optimum = cost_geometry(dataset, 2).theta
    optimum_r2 = fit_metrics(dataset.y, predict_with(optimum, dataset.x)).r2
    spec = figure(trained, "Residuals")
    assert trace(spec, f"learned model (R² = {learned_r2:.6f})")
    assert trace(spec, f"exact optimum (R² = {optimum_r2:.6f})")
    residuals = values(trace(spec, f"exact optimum (R² = {optimum_r2:.6f})")["y"])
    np.testing.assert_allclose(residuals, dataset.y - predict_with(optimum, dataset.x))
    metrics = trained.dataframe[1].value
    assert metrics.loc["Learned", "R²"] == pytest.approx(learned_r2)
    assert metrics.loc["Exact optimum", "R²"] == pytest.approx(optimum_r2)


def test_distance_chart_numbers(trained):
    result = trained.session_state["result"]
    geometry = cost_geometry(trained.session_state["result_dataset"], 2)
    spec = figure(trained, "Distance to the exact optimum")
    weights = trace(spec, "‖w − w*‖")
    epochs, distance = values(weights["x"]), values(weights["y"])
    assert epochs[0] == 1
    assert epochs[-1] == 3000
    assert distance[-1] == pytest.approx(np.linalg.norm(result.history.weights[-1] - geometry.theta[:2]))
    assert spec["layout"]["yaxis"]["type"] == "log"


def test_replay_slider_moves_through_run():
    at = open_page(train(new_app("en"), epochs=1000), "learn")
    result = at.session_state["result"]
    assert at.slider(key="learn_epoch").value == 1000
    at.slider(key="learn_epoch").set_value(10).run()
    assert not at.exception
    fit = figure(at, "Fitted curve at epoch 10")
    curve = trace(fit, "learned, epoch 10")
    theta = np.array([*result.history.weights[9], result.history.bias[9]])
    np.testing.assert_allclose(values(curve["y"]), predict_with(theta, values(curve["x"])))
    marker = trace(figure(at, "Cost over"), "epoch 10")
    np.testing.assert_allclose([values(marker["x"])[0], values(marker["y"])[0]], result.history.weights[9])
    assert figure(at, "Cost per epoch")["layout"]["shapes"][0]["x0"] == 10
    assert "epoch 10 ·" in at.text[0].value


def test_play_walks_to_the_end_and_stops():
    at = open_page(train(new_app("en"), epochs=120), "learn")
    at.button(key="learn_play").click().run()
    assert at.session_state["learn_playing"]
    seen = [at.slider(key="learn_epoch").value]
    for _ in range(130):
        if not at.session_state["learn_playing"]:
            break
        at.run()
        seen.append(at.slider(key="learn_epoch").value)
    assert not at.exception
    assert seen[0] == 1, "Play at the last epoch starts again from the first"
    assert seen == sorted(seen)
    assert seen[-1] == 120
    assert not at.session_state["learn_playing"]


def test_zoom_narrows_landscape(trained):
    spec = figure(trained, "Cost over")
    wide = values(spec["data"][0]["x"])
    trained.select_slider(key="learn_zoom").set_value(16).run()
    zoomed = values(figure(trained, "Cost over")["data"][0]["x"])
    assert zoomed[-1] - zoomed[0] < (wide[-1] - wide[0]) / 8
    trained.select_slider(key="learn_zoom").set_value(1).run()


def test_step_explained_on_request(trained):
    assert "learn_step_table" not in [getattr(d, "key", None) for d in trained.dataframe]
    trained.toggle(key="learn_show_step").set_value(True).run()
    assert not trained.exception
    table = trained.dataframe[-2].value
    assert list(table.index) == ["w1 (x²)", "w2 (x)", "b"]
    columns = list(table.columns)
    np.testing.assert_allclose(table[columns[1]], table[columns[2]], rtol=1e-9)
    np.testing.assert_allclose(table[columns[4]], table[columns[0]] - table[columns[3]])
    assert "w1 (x²) ←" in trained.code[0].value
    trained.toggle(key="learn_show_step").set_value(False).run()


def test_lesson_dataset_shows_lesson_optimum(lesson_csv):
    at = new_app("en")
    lesson_upload(at, lesson_csv)
    at = open_page(train(at, epochs=10_000), "learn")
    table = at.dataframe[0].value
    np.testing.assert_allclose(table.loc["Exact optimum"].iloc[:3], LESSON_OPTIMUM, atol=5e-5)
    optimum = trace(figure(at, "Cost over"), "exact optimum")
    np.testing.assert_allclose(values(optimum["customdata"][0]), LESSON_OPTIMUM, atol=5e-5)
    path = trace(figure(at, "Cost over"), "SGD path")
    end = np.array([values(path["x"])[-1], values(path["y"])[-1]])
    np.testing.assert_allclose(end, LESSON_OPTIMUM[:2], atol=0.02)


def test_train_page_final_table():
    at = train(new_app("en"), epochs=500)
    table = at.dataframe[0].value
    assert list(table.index[:3]) == ["True", "Exact optimum", "Learned"]
    weights, bias = at.session_state["result"].coefficients()
    assert table.loc["Learned", "b"] == pytest.approx(bias)


def test_train_page_live_table():
    at = open_page(new_app("en"), "train")
    at.number_input(key="train_epochs").set_value(1_000_000)
    at.button[0].click().run()
    try:
        for _ in range(100):
            if at.dataframe:
                break
            at.run()
        table = at.dataframe[0].value
        assert list(table.index[:3]) == ["True", "Exact optimum", "Learned"]
        assert at.session_state["job"].running
        progress = at.session_state["job"].snapshot().progress
        assert np.isfinite(table.loc["Learned", "w1 (x²)"])
        assert progress.epoch > 0
    finally:
        at.session_state["job"].stop()
        wait_for_training(at)


def test_guidance_shows_bound_and_presets():
    at = open_page(new_app("en"), "train")
    dataset = at.session_state["dataset"]
    bound = lr_guidance(dataset, TrainConfig()).max_stable_lr
    captions = " ".join(c.value for c in at.caption)
    assert f"{bound:.3g} (2/λmax" in captions
    assert "Condition number of the features: 4,503" in captions
    labels = [b.label for b in at.button if b.key and b.key.startswith("train_lr_preset_")]
    assert labels == ["0.5× = 0.00025: converges", "0.99× = 0.000495: slow oscillation", "1.1× = 0.00055: diverges"]


def test_diverging_preset_explains_itself():
    at = open_page(new_app("en"), "train")
    at.button(key="train_lr_preset_1.1").click().run()
    assert at.number_input(key="train_lr").value == 0.00055
    at.button[0].click().run()
    wait_for_training(at)
    assert not at.exception
    result = at.session_state["result"]
    assert result.diverged_at_epoch is not None
    warnings = " ".join(w.value for w in at.warning)
    assert "Why it diverged: the learning rate 0.00055 is 1.1× the largest stable rate" in warnings
    assert "1 − lr·λmax = -1.20" in warnings
    open_page(at, "learn")
    assert not at.exception
    assert at.warning[0].value.startswith("Why it diverged")


def test_preset_below_input_range_is_not_offered():
    at = open_page(new_app("en"), "train")
    at.session_state["train_degree"] = 6
    at.run()
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("train_lr_preset_")]
    assert "outside the range the learning-rate input accepts" in " ".join(c.value for c in at.caption)


def test_lr_input_range_matches_guidance():
    from polyreg_core.guidance import LR_INPUT_RANGE

    at = open_page(new_app("en"), "train")
    lr = at.number_input(key="train_lr")
    assert (lr.min, lr.max) == LR_INPUT_RANGE


def test_large_text_scales_charts_and_tables(trained):
    normal = figure(trained, "Residuals")["layout"]["xaxis"]["tickfont"]["size"]
    trained.toggle(key="large_text").set_value(True).run()
    assert not trained.exception
    large = figure(trained, "Residuals")["layout"]["xaxis"]["tickfont"]["size"]
    assert large > normal
    # Under the plot, not beside it, where it left a narrow screen's plot a sliver.
    assert figure(trained, "Residuals")["layout"]["legend"]["orientation"] == "h"
    assert trained.table, "large-text mode shows tables as HTML, which scale with the page"
    trained.toggle(key="large_text").set_value(False).run()
