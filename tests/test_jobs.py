import threading
import time

import numpy as np
import pytest
import torch

from polyreg_core.jobs import (
    DEFAULT_MAX_TRAININGS,
    TrainingJob,
    TrainingQueue,
    configure_torch_threads,
    positive_int_from_env,
)
from polyreg_core.training import TrainConfig, train

LONG = TrainConfig(epochs=1_000_000)


def wait_until(condition, limit_s: float = 30.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def finish(job: TrainingJob, limit_s: float = 60.0):
    job.join(limit_s)
    assert not job.running, "job did not finish"
    return job.snapshot()


def test_job_curve_has_every_epoch(sample):
    job = TrainingJob(sample, TrainConfig(epochs=1500), queue=TrainingQueue(1)).start()
    snapshot = finish(job)
    epochs, costs = job.curve()
    np.testing.assert_array_equal(epochs, np.arange(1, 1501))
    np.testing.assert_array_equal(costs, snapshot.result.history.cost)
    assert snapshot.progress.epoch == 1500


def test_continue_job_extends_curve_and_keeps_previous(sample):
    first = train(sample, TrainConfig(epochs=400))
    first_weights = first.coefficients()[0].copy()
    job = TrainingJob(sample, TrainConfig(epochs=300), resume=first, queue=TrainingQueue(1)).start()
    snapshot = finish(job)
    assert snapshot.result.epochs_done == 700
    assert len(job.curve()[1]) == 700
    np.testing.assert_array_equal(first.coefficients()[0], first_weights)


def test_stop_ends_run_and_keeps_model(sample):
    job = TrainingJob(sample, LONG, queue=TrainingQueue(1)).start()
    wait_until(lambda: job.snapshot().progress is not None)
    job.stop()
    snapshot = finish(job, limit_s=5)
    result = snapshot.result
    assert result.stopped
    assert 0 < result.epochs_done < LONG.epochs
    assert len(result.history) == result.epochs_done
    assert np.isfinite(result.coefficients()[0]).all()


def test_queue_runs_in_arrival_order(sample):
    queue = TrainingQueue(1)
    first = TrainingJob(sample, LONG, queue=queue).start()
    wait_until(lambda: first.snapshot().progress is not None)
    second = TrainingJob(sample, TrainConfig(epochs=200), queue=queue).start()
    third = TrainingJob(sample, TrainConfig(epochs=200), queue=queue).start()
    wait_until(lambda: third.snapshot().waiting_ahead == 1)
    assert second.snapshot().waiting_ahead == 0
    assert first.snapshot().waiting_ahead is None
    assert queue.running == 1

    first.stop()
    assert finish(second).result.epochs_done == 200
    assert finish(third).result.epochs_done == 200
    assert finish(first).result.stopped
    assert queue.running == 0


def test_stop_while_waiting_cancels(sample):
    queue = TrainingQueue(1)
    blocker = TrainingJob(sample, LONG, queue=queue).start()
    wait_until(lambda: blocker.snapshot().progress is not None)
    previous = train(sample, TrainConfig(epochs=100))
    waiting = TrainingJob(sample, TrainConfig(epochs=100), resume=previous, queue=queue).start()
    wait_until(lambda: waiting.snapshot().waiting_ahead == 0)

    waiting.stop()
    snapshot = finish(waiting, limit_s=2)
    assert snapshot.cancelled
    assert snapshot.result is previous
    assert queue.position(waiting) is None
    blocker.stop()
    finish(blocker)
    assert queue.running == 0


def test_queue_admits_up_to_limit():
    queue = TrainingQueue(2)
    admitted = []
    release = threading.Event()

    def worker(name):
        queue.enter(name, lambda: False)
        admitted.append(name)
        release.wait(10)
        queue.leave()

    threads = [threading.Thread(target=worker, args=(n,)) for n in "abc"]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    wait_until(lambda: len(admitted) == 2)
    time.sleep(0.3)
    assert admitted == ["a", "b"]
    assert queue.position("c") == 0
    release.set()
    for thread in threads:
        thread.join(5)
    assert admitted == ["a", "b", "c"]


def test_settings_error_reaches_snapshot(sample):
    snapshot = finish(TrainingJob(sample, TrainConfig(batch_size=999), queue=TrainingQueue(1)).start())
    assert snapshot.error.code == "no_full_batch"
    assert snapshot.result is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, DEFAULT_MAX_TRAININGS), ("", DEFAULT_MAX_TRAININGS), ("4", 4), ("0", DEFAULT_MAX_TRAININGS), ("-3", DEFAULT_MAX_TRAININGS), ("two", DEFAULT_MAX_TRAININGS)],
)
def test_limit_from_environment(text, expected):
    environ = {} if text is None else {"POLYREG_MAX_TRAININGS": text}
    assert positive_int_from_env("POLYREG_MAX_TRAININGS", DEFAULT_MAX_TRAININGS, environ) == expected


def test_torch_threads_set_for_server():
    assert configure_torch_threads({}) == torch.get_num_threads() == 1
