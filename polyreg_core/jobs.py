"""A training run in a background thread, so that a page can redraw while it trains.

The thread makes no UI calls: it writes the latest ``Progress`` into the job, and a page
polls ``snapshot()``. ``stop()`` sets an event that the training loop checks between
blocks of steps.

One server process serves a whole classroom, so a ``TrainingQueue`` lets only a few runs
train at a time. The others wait in arrival order and start by themselves.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

from polyreg_core.data import Dataset
from polyreg_core.errors import PolyregError
from polyreg_core.logs import log_user_error
from polyreg_core.history import downsample
from polyreg_core.training import Progress, TrainConfig, TrainResult, train

logger = logging.getLogger(__name__)

MAX_TRAININGS_ENV = "POLYREG_MAX_TRAININGS"
TORCH_THREADS_ENV = "POLYREG_TORCH_THREADS"
# The step loops run Python code under the GIL, so more than two trainings at once in one
# server process add no throughput and only slow down the pages of everyone else.
DEFAULT_MAX_TRAININGS = 2
# The tensors of this model are tiny (3×3 matrices per step), so one thread per training
# is faster than several: a second thread spends its time synchronising, not computing.
DEFAULT_TORCH_THREADS = 1
WAIT_POLL_S = 0.1


def positive_int_from_env(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    """Read a positive whole number from the environment; log and use ``default`` when invalid."""
    text = environ.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        logger.warning("%s=%r is not a positive whole number; using %d", name, text, default)
        return default
    return value


_threads_configured = False


def configure_torch_threads(environ: Mapping[str, str] = os.environ) -> int:
    """Set torch's intra-op thread count once per process for a shared server; return it."""
    global _threads_configured
    threads = positive_int_from_env(TORCH_THREADS_ENV, DEFAULT_TORCH_THREADS, environ)
    if not _threads_configured:
        torch.set_num_threads(threads)
        _threads_configured = True
        logger.info("torch uses %d thread(s) per operation", threads)
    return torch.get_num_threads()


class TrainingQueue:
    """Admits at most ``limit`` trainings at a time, first come first served."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._condition = threading.Condition()
        self._waiting: list[object] = []
        self._running = 0

    def enter(self, ticket: object, cancelled: Callable[[], bool]) -> bool:
        """Block until ``ticket`` may train; return False when ``cancelled()`` came first."""
        with self._condition:
            self._waiting.append(ticket)
            while True:
                if cancelled():
                    self._waiting.remove(ticket)
                    self._condition.notify_all()
                    return False
                if self._running < self.limit and self._waiting[0] is ticket:
                    self._waiting.pop(0)
                    self._running += 1
                    self._condition.notify_all()
                    return True
                self._condition.wait(WAIT_POLL_S)

    def leave(self) -> None:
        with self._condition:
            self._running -= 1
            self._condition.notify_all()

    def wake(self) -> None:
        """Let waiting tickets check ``cancelled()`` now instead of at the next poll."""
        with self._condition:
            self._condition.notify_all()

    def position(self, ticket: object) -> int | None:
        """Number of tickets waiting ahead of ``ticket``, or None when it is not waiting."""
        with self._condition:
            return self._waiting.index(ticket) if ticket in self._waiting else None

    @property
    def running(self) -> int:
        with self._condition:
            return self._running


SHARED_QUEUE = TrainingQueue(positive_int_from_env(MAX_TRAININGS_ENV, DEFAULT_MAX_TRAININGS))
_job_ids = itertools.count(1)


@dataclass
class JobSnapshot:
    """A consistent copy of a job's state for one redraw."""

    running: bool  # waiting or training
    waiting_ahead: int | None  # trainings queued before this one; None once it trains
    progress: Progress | None
    result: TrainResult | None
    error: PolyregError | None
    cancelled: bool  # stopped while waiting, so it never trained


@dataclass(eq=False)  # compared by identity: the queue looks jobs up with ``in``
class TrainingJob:
    dataset: Dataset
    config: TrainConfig
    resume: TrainResult | None = None
    session_id: str = ""  # names the browser session in log lines
    queue: TrainingQueue = field(default_factory=lambda: SHARED_QUEUE)
    job_id: int = field(default_factory=lambda: next(_job_ids))
    _progress: Progress | None = None
    _costs: list[np.ndarray] = field(default_factory=list)  # per-epoch costs, in blocks
    _result: TrainResult | None = None
    _error: PolyregError | None = None
    _cancelled: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        if self.resume is not None:
            self._costs.append(self.resume.history.cost)

    def start(self) -> TrainingJob:
        self._thread = threading.Thread(target=self._run, name=f"polyreg-train-{self.job_id}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.queue.wake()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            progress, result, error, cancelled = self._progress, self._result, self._error, self._cancelled
        ahead = self.queue.position(self)
        return JobSnapshot(self.running, ahead, progress, result, error, cancelled)

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, costs) of every epoch so far, a continued run's earlier ones included,
        downsampled for a chart."""
        with self._lock:
            costs = list(self._costs)
        # joined and thinned outside the lock, so the training thread waits only for the list copy
        joined = np.concatenate(costs) if costs else np.zeros(0)
        return downsample(np.arange(1, len(joined) + 1), joined)

    def _on_progress(self, progress: Progress) -> None:
        with self._lock:
            self._progress = progress
            self._costs.append(progress.recent_costs)

    def _run(self) -> None:
        if not self.queue.enter(self, self._stop.is_set):
            logger.info("training job %d cancelled while waiting", self.job_id)
            with self._lock:
                self._cancelled = True
                self._result = self.resume  # the model stays as it was
            return
        logger.info("training job %d started: %s", self.job_id, self.config)
        try:
            self._train()
        finally:
            self.queue.leave()

    def _train(self) -> None:
        try:
            result = train(self.dataset, self.config, self._on_progress, self._stop.is_set, self.resume)
        except PolyregError as exc:
            log_user_error(logger, exc, job=self.job_id, session=self.session_id, dataset=self.dataset.name)
            with self._lock:
                self._error = exc
            return
        except Exception:  # a bug, not bad input: keep its traceback in the server log
            logger.exception("training job %d failed: session=%s config=%s", self.job_id, self.session_id, self.config)
            with self._lock:
                self._error = PolyregError("internal_error")
            return
        logger.info(
            "training job %d finished: %d epochs in %.2f s, stopped=%s, diverged_at=%s",
            self.job_id, result.epochs_done, result.train_seconds, result.stopped, result.diverged_at_epoch,
        )  # fmt: skip
        with self._lock:
            self._result = result
