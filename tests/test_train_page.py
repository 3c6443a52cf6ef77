"""AppTest of the Train page's controls: options, Continue, Reset, Stop, divergence, the queue."""

import json
import time

import numpy as np
import pytest

from polyreg_core import jobs
from polyreg_core.training import TrainConfig
from tests.test_pages import new_app, open_page, train, wait_for_training

LONG_EPOCHS = 1_000_000


def start_training(at, **numbers):
    open_page(at, "train")
    for key, value in numbers.items():
        at.number_input(key=key).set_value(value)
    at.button[0].click().run()
    return at


def wait_for_progress(at, limit_s: float = 30):
    deadline = time.monotonic() + limit_s
    while at.session_state["job"].snapshot().progress is None:
        assert time.monotonic() < deadline, "no progress reported"
        time.sleep(0.05)
    return at.run()


def captions(at) -> str:
    return "\n".join(c.value for c in at.main.caption)


def table_values(at) -> np.ndarray:
    table = at.dataframe[0].value
    return table.select_dtypes("number").to_numpy(dtype=float)


def test_continue_extends_history():
    at = train(new_app(), epochs=500)
    assert at.session_state["result"].epochs_done == 500
    at.number_input(key="train_epochs").set_value(300)
    at.button(key="train_continue").click().run()
    wait_for_training(at)
    result = at.session_state["result"]
    assert result.epochs_done == 800
    np.testing.assert_array_equal(result.history.epoch, np.arange(1, 801))
    assert "epoch 500 to epoch 800" in captions(at)
    assert "800 epochs" in at.success[0].value
    assert not at.exception


def test_continue_with_new_learning_rate():
    at = train(new_app(), epochs=200, train_lr=1e-5)
    first_cost = at.session_state["result"].final_cost
    at.number_input(key="train_lr").set_value(1e-4)
    at.button(key="train_continue").click().run()
    wait_for_training(at)
    result = at.session_state["result"]
    assert result.config.lr == 1e-4
    assert result.final_cost < first_cost


def test_reset_starts_from_fresh_weights():
    at = train(new_app(), epochs=300)
    trained = at.session_state["result"].coefficients()[0]
    at.button(key="train_reset").click().run()
    assert at.session_state["result"] is None
    assert "reset" in at.info[0].value
    assert at.button[0].label == "Train"
    train(at, epochs=300)
    again = at.session_state["result"]
    assert again.epochs_done == 300
    np.testing.assert_array_equal(again.coefficients()[0], trained)  # same seed, fresh start


def test_divergence_message_and_finite_output():
    at = train(new_app(), epochs=1000, train_lr=0.01)
    message = next(w.value for w in at.warning if "diverged at epoch" in w.value)
    assert "diverged at epoch 3" in message
    assert "0.0005" in message
    assert "standardisation" in message
    assert np.isfinite(table_values(at)).all()
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec
        assert "NaN" not in spec
        assert "Infinity" not in spec
    assert not at.exception


def test_degree_optimizer_and_standardisation():
    at = new_app()
    open_page(at, "train")
    at.selectbox(key="train_optimizer").set_value("adam")
    at.checkbox(key="train_standardize").check()
    at.number_input(key="train_degree").set_value(3)
    at.number_input(key="train_epochs").set_value(1000)
    at.number_input(key="train_lr").set_value(0.5)
    at.button[0].click().run()
    wait_for_training(at)
    assert "[x³, x², x]" in captions(at)
    assert "optimizer Adam" in captions(at)
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["w1 (x³)", "w2 (x²)", "w3 (x)", "b"]
    assert list(table.loc["True"][:3]) == [0.0, 3.1, -1.7]
    assert table.loc["Learned", "w2 (x²)"] == pytest.approx(3.1, abs=0.02)
    assert table.loc["Learned", "w3 (x)"] == pytest.approx(-1.7, abs=0.05)
    config = at.session_state["result"].config
    assert (config.optimizer, config.degree, config.standardize) == ("adam", 3, True)


def test_degree_one_has_no_true_column():
    at = new_app()
    open_page(at, "train")
    at.number_input(key="train_degree").set_value(1)
    at.number_input(key="train_lr").set_value(1e-3)
    at.button[0].click().run()
    wait_for_training(at)
    assert "degree-1" in at.info[0].value
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["w1 (x)", "b"]
    assert np.isfinite(table.loc["Learned"].to_numpy(dtype=float)).all()


def test_settings_locked_while_running_and_stop():
    at = wait_for_progress(start_training(new_app(), train_epochs=LONG_EPOCHS))
    assert at.number_input(key="train_epochs").disabled
    assert at.selectbox(key="train_optimizer").disabled
    assert at.selectbox(key="device").disabled
    assert "locked" in captions(at)

    at.button(key="train_stop").click().run()
    wait_for_training(at, limit_s=5)
    result = at.session_state["result"]
    assert result.stopped
    assert 0 < result.epochs_done < LONG_EPOCHS
    assert "Stopped after epoch" in at.info[0].value
    assert not at.number_input(key="train_epochs").disabled


def test_other_widgets_do_not_disturb_a_run():
    at = wait_for_progress(start_training(new_app(), train_epochs=LONG_EPOCHS))
    job = at.session_state["job"]
    at.radio(key="lang_choice").set_value("ko").run()
    open_page(at, "predict")
    open_page(at, "data")
    assert at.session_state["job"] is job
    assert job.running
    open_page(at, "train")
    at.button(key="train_stop").click().run()
    wait_for_training(at, limit_s=5)
    assert at.session_state["result"].stopped
    assert not at.exception


def test_continue_rejected_after_data_change():
    at = train(new_app(), epochs=200)
    open_page(at, "data")
    at.radio(key="data_source").set_value("upload").run()
    rows = "x,y\n" + "\n".join(f"{x},{2 * x * x}" for x in range(-100, 100))
    at.file_uploader[0].set_value(("mine.csv", rows.encode(), "text/csv")).run()
    open_page(at, "train")
    at.button(key="train_continue").click().run()
    assert "dataset.csv → mine.csv" in at.error[0].value
    assert "job" not in at.session_state or at.session_state["job"] is None
    assert at.session_state["result"].epochs_done == 200


def test_continue_rejected_after_degree_change():
    at = train(new_app(), epochs=200)
    at.number_input(key="train_degree").set_value(3)
    at.button(key="train_continue").click().run()
    assert "Reset" in at.error[0].value
    assert at.session_state["result"].epochs_done == 200


def test_waiting_state_when_queue_is_full(monkeypatch, sample):
    monkeypatch.setattr(jobs.SHARED_QUEUE, "limit", 1)
    blocker = jobs.TrainingJob(sample, TrainConfig(epochs=LONG_EPOCHS)).start()
    try:
        at = start_training(new_app(), train_epochs=300)
        time.sleep(0.3)
        at.run()
        assert "1 of 1 trainings are running" in at.info[0].value
        assert "0 more wait ahead" in at.info[0].value
        assert at.session_state["job"].running
    finally:
        blocker.stop()
        blocker.join(10)
    wait_for_training(at)
    assert at.session_state["result"].epochs_done == 300


def test_stop_while_waiting_keeps_model(monkeypatch, sample):
    at = train(new_app(), epochs=200)
    monkeypatch.setattr(jobs.SHARED_QUEUE, "limit", 1)
    blocker = jobs.TrainingJob(sample, TrainConfig(epochs=LONG_EPOCHS)).start()
    try:
        at.button(key="train_continue").click().run()
        at.button(key="train_stop").click().run()
        wait_for_training(at, limit_s=5)
    finally:
        blocker.stop()
        blocker.join(10)
    assert "cancelled before it started" in at.info[0].value
    assert at.session_state["result"].epochs_done == 200
    assert at.dataframe[0].value is not None
