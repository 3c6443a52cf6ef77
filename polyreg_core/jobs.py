"""A training run in a background thread, so that a page can redraw while it trains.

The thread makes no UI calls: it writes the latest ``Progress`` into the job, and a page
polls ``snapshot()``. ``stop()`` sets an event that the training loop checks between
blocks of steps.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from polyreg_core.data import Dataset
from polyreg_core.errors import PolyregError
from polyreg_core.logs import log_user_error
from polyreg_core.training import Progress, TrainConfig, TrainResult, train

logger = logging.getLogger(__name__)


@dataclass
class JobSnapshot:
    """A consistent copy of a job's state for one redraw."""

    running: bool
    progress: Progress | None
    curve: list[tuple[int, float]]  # (epoch, cost) of every progress report so far
    result: TrainResult | None
    error: PolyregError | None


@dataclass
class TrainingJob:
    dataset: Dataset
    config: TrainConfig
    resume: TrainResult | None = None
    session_id: str = ""  # names the browser session in log lines
    _progress: Progress | None = None
    _curve: list[tuple[int, float]] = field(default_factory=list)
    _result: TrainResult | None = None
    _error: PolyregError | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def start(self) -> TrainingJob:
        self._thread = threading.Thread(target=self._run, name="polyreg-train", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self.running, self._progress, list(self._curve), self._result, self._error)

    def _on_progress(self, progress: Progress) -> None:
        with self._lock:
            self._progress = progress
            self._curve.append((progress.epoch, progress.cost))

    def _run(self) -> None:
        try:
            result = train(self.dataset, self.config, self._on_progress, self._stop.is_set, self.resume)
        except PolyregError as exc:
            log_user_error(logger, exc, session=self.session_id, dataset=self.dataset.name)
            with self._lock:
                self._error = exc
            return
        except Exception:  # a bug, not bad input: keep its traceback in the server log
            logger.exception("training job failed: session=%s config=%s", self.session_id, self.config)
            with self._lock:
                self._error = PolyregError("internal_error")
            return
        with self._lock:
            self._result = result
