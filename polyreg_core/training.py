"""Training: the run's config, its result, and ``train`` with progress and stop.

``train`` never touches a UI: it reports through ``on_progress`` at most about ten times a
second and checks ``should_stop`` between blocks of steps. The loops themselves are in
``engines.py``.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from polyreg_core import engines, reference
from polyreg_core.data import Dataset
from polyreg_core.device import DEVICE_CHOICES, resolve_device
from polyreg_core.errors import ConfigError, DataError
from polyreg_core.features import MAX_DEGREE, MIN_DEGREE, Scaling, polynomial_features
from polyreg_core.history import History
from polyreg_core.model import PolyRegression

OPTIMIZERS = ("sgd", "adam")
MAX_EPOCHS = 1_000_000
PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of one run; the defaults are the lesson's."""

    epochs: int = 10_000
    lr: float = 1e-4
    batch_size: int = 128
    shuffle: bool = True
    drop_last: bool = True
    seed: int = 0
    device: str = "auto"
    degree: int = 2
    standardize: bool = False
    optimizer: str = "sgd"
    momentum: float = 0.0

    def validate(self, n_samples: int) -> None:
        """Raise ConfigError or DataError for a setting that cannot train on n_samples rows."""
        _check_range("epochs", self.epochs, 1, MAX_EPOCHS)
        _check_range("batch_size", self.batch_size, 1, 10**9)
        _check_range("degree", self.degree, MIN_DEGREE, MAX_DEGREE)
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ConfigError("invalid_lr", value=self.lr)
        if not 0 <= self.momentum < 1:
            raise ConfigError("invalid_momentum", value=self.momentum)
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError("unknown_optimizer", value=self.optimizer, choices=", ".join(OPTIMIZERS))
        if self.device not in DEVICE_CHOICES:
            raise ConfigError("unknown_device", device=self.device, choices=", ".join(DEVICE_CHOICES))
        if n_samples < 2:
            raise DataError("too_few_rows", rows=n_samples)
        if self.drop_last and n_samples < self.batch_size:
            raise DataError("no_full_batch", rows=n_samples, batch_size=self.batch_size)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError("out_of_range", name=name, value=value, low=low, high=high)


@dataclass(frozen=True)
class Progress:
    """A snapshot sent to ``on_progress``: weights and bias on the original x^k scale."""

    epoch: int
    epochs: int
    cost: float
    weights: tuple[float, ...]
    bias: float
    elapsed_s: float
    # (k,) the cost of every epoch since the previous report, ending with ``epoch``, so a
    # live chart can draw the same curve as the finished history
    recent_costs: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)


@dataclass
class TrainResult:
    """A trained model with everything needed to show, continue or export it."""

    config: TrainConfig
    model: PolyRegression  # on the CPU, trained on scaled features
    scaling: Scaling
    history: History
    device: str
    train_seconds: float
    stopped: bool = False
    diverged_at_epoch: int | None = None
    rng_state: torch.Tensor | None = field(default=None, repr=False)
    optimizer_state: dict | None = field(default=None, repr=False)
    # 2(1 + momentum)/λmax on the features the model trained on, and 2/λmax on the
    # standardised features: the bounds a divergence message quotes
    max_stable_lr: float = math.nan
    max_stable_lr_standardized: float = math.nan

    @property
    def epochs_done(self) -> int:
        return int(self.history.epoch[-1]) if len(self.history) else 0

    @property
    def final_cost(self) -> float:
        return float(self.history.cost[-1]) if len(self.history) else math.nan

    def coefficients(self) -> tuple[np.ndarray, float]:
        """Return (weights, bias) on the original x^k scale, comparable with 3.1 and −1.7."""
        layer = self.model.layer
        weights = layer.weight.detach().double().numpy()[0]
        return self.scaling.to_original(weights, float(layer.bias.detach().double()))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Run the model on raw x values under ``model.eval()`` and ``torch.no_grad()``."""
        features = self.scaling.apply(polynomial_features(np.asarray(x, dtype=np.float64), self.config.degree))
        self.model.eval()
        with torch.no_grad():
            output = self.model(torch.tensor(features, dtype=torch.float32))
        return output[:, 0].double().numpy()


ProgressCallback = Callable[[Progress], None]
StopSignal = Callable[[], bool]


def train(
    dataset: Dataset,
    config: TrainConfig,
    on_progress: ProgressCallback | None = None,
    should_stop: StopSignal | None = None,
    resume: TrainResult | None = None,
) -> TrainResult:
    """Train the lesson's model on ``dataset`` for ``config.epochs`` more epochs.

    With ``resume`` the run continues from that result's weights, shuffling stream and
    history (``model.train()`` again), so two runs of 500 epochs equal one of 1,000.
    """
    config.validate(len(dataset))
    device = resolve_device(config.device)
    features = polynomial_features(dataset.x, config.degree)  # (n_samples, degree)

    # set-up: fresh weights, or a copy of the previous run's weights, scaling, optimizer
    # state and shuffling stream (a copy, so the previous result stays usable meanwhile)
    generator = torch.Generator()
    if resume is None:
        scaling = Scaling.fit(features) if config.standardize else Scaling.identity(config.degree)
        model = PolyRegression(config.degree)
        generator.manual_seed(config.seed)
        model.reset_parameters(generator)
        history, start_epoch = History.empty(config.degree), 0
        optimizer_state = None
    else:
        check_resumable(resume, config)
        scaling, model, history = resume.scaling, copy.deepcopy(resume.model), resume.history
        generator.set_state(resume.rng_state)
        start_epoch = resume.epochs_done
        optimizer_state = resume.optimizer_state

    # data stays on the device as tensors for the whole run: no per-item Python work
    scaled = scaling.apply(features)  # (n_samples, degree)
    x = torch.tensor(scaled, dtype=torch.float32, device=device)  # (n, degree)
    y = torch.tensor(dataset.y, dtype=torch.float32, device=device)[:, None]  # (n, 1)
    model.to(device).train()

    reporter = _Reporter(on_progress, scaling, start_epoch, start_epoch + config.epochs)
    started = time.perf_counter()
    run = engines.run(model, x, y, config, generator, reporter.report, should_stop or (lambda: False), optimizer_state)
    seconds = time.perf_counter() - started

    model.to("cpu")
    new_history = _to_history(run, scaling, start_epoch)
    if len(new_history):
        reporter.report_final(new_history, seconds)
    previous_seconds = resume.train_seconds if resume else 0.0
    max_lr, max_lr_standardized = _stability_bounds(features, scaled, config)
    return TrainResult(
        config=replace(config, epochs=start_epoch + len(new_history)) if resume else config,
        model=model,
        scaling=scaling,
        history=history.extend(new_history),
        device=str(device),
        train_seconds=previous_seconds + seconds,
        stopped=run.stopped,
        diverged_at_epoch=(start_epoch + run.diverged_at) if run.diverged_at else None,
        rng_state=generator.get_state(),
        optimizer_state=run.optimizer_state,
        max_stable_lr=max_lr,
        max_stable_lr_standardized=max_lr_standardized,
    )


def _stability_bounds(features: np.ndarray, scaled: np.ndarray, config: TrainConfig) -> tuple[float, float]:
    """SGD's largest stable learning rate on the features trained on and on standardised ones.

    Adam has no such bound; its message quotes plain SGD's, without momentum.
    """
    momentum = config.momentum if config.optimizer == "sgd" else 0.0
    standardized = Scaling.fit(features).apply(features)
    return reference.max_stable_lr(scaled, momentum), reference.max_stable_lr(standardized, momentum)


def check_resumable(resume: TrainResult, config: TrainConfig) -> None:
    """Raise ConfigError when ``config`` cannot continue ``resume``.

    Degree and scaling define what the weights mean, so changing them needs fresh weights.
    """
    if resume.config.degree != config.degree or resume.config.standardize != config.standardize:
        raise ConfigError("resume_mismatch")


def _to_history(run: engines.EngineRun, scaling: Scaling, start_epoch: int) -> History:
    cost, params = run.cost(), run.params(len(scaling.mean) + 1)
    n = len(cost)
    weights = np.asarray(params[:, :-1], dtype=np.float64) / np.asarray(scaling.std)
    bias = params[:, -1] - weights @ np.asarray(scaling.mean)
    return History(
        epoch=np.arange(start_epoch + 1, start_epoch + n + 1, dtype=np.int64),
        cost=np.asarray(cost, dtype=np.float64),
        # An explicit width, because a run that diverged in its first epoch has n = 0 rows.
        weights=weights.reshape(n, len(scaling.std)),
        bias=np.asarray(bias, dtype=np.float64),
    )


class _Reporter:
    """Turns the engine's raw parameter rows into ``Progress`` at most every 0.1 s."""

    def __init__(self, callback: ProgressCallback | None, scaling: Scaling, start: int, end: int):
        self.callback, self.scaling = callback, scaling
        self.start, self.end = start, end
        self.started = time.perf_counter()
        self.last = -math.inf
        self.last_epoch = start
        self.pending: list[np.ndarray] = []  # costs not yet sent

    def report(self, epochs_done: int, costs: np.ndarray, params: np.ndarray) -> None:
        if self.callback is None:
            return
        self.pending.append(costs)
        now = time.perf_counter()
        if now - self.last < PROGRESS_INTERVAL_S:
            return
        self.last, self.last_epoch = now, self.start + epochs_done
        weights, bias = self.scaling.to_original(params[-1, :-1], float(params[-1, -1]))
        self.callback(
            Progress(
                self.start + epochs_done,
                self.end,
                float(costs[-1]),
                tuple(weights),
                bias,
                now - self.started,
                self._take_pending(),
            )
        )

    def report_final(self, history: History, seconds: float) -> None:
        """Send the last epoch, unless the throttled reports already did."""
        if self.callback is None or self.last_epoch == int(history.epoch[-1]):
            return
        self.callback(
            Progress(
                int(history.epoch[-1]),
                self.end,
                float(history.cost[-1]),
                tuple(history.weights[-1]),
                float(history.bias[-1]),
                seconds,
                self._take_pending(),
            )
        )

    def _take_pending(self) -> np.ndarray:
        costs = np.concatenate(self.pending) if self.pending else np.zeros(0)
        self.pending = []
        return costs
