"""A trained model detached from its run, as predicting, sharing and exporting need it.

A ``PortableModel`` comes from a training run in the session, from a saved model file or
from a share link. Whatever its origin, it wraps a real ``TrainResult`` whose
``PolyRegression`` module contains the weights, so every prediction runs through the same
``nn.Module`` path under ``model.eval()`` and ``torch.no_grad()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import torch

from polyreg_core.data import Dataset
from polyreg_core.errors import ConfigError, PolyregError
from polyreg_core.features import MAX_DEGREE, MIN_DEGREE, Scaling, polynomial_features
from polyreg_core.model import PolyRegression
from polyreg_core.reference import Optimum, least_squares
from polyreg_core.history import History
from polyreg_core.training import TrainConfig, TrainResult

Origin = Literal["trained", "file", "link"]

# TrainConfig.validate also checks the settings against the number of rows. A loaded model
# has no rows at hand, so its settings are checked against a table large enough for any batch.
_ROWS_FOR_SETTINGS_CHECK = 10**9


@dataclass(frozen=True)
class TrainedOn:
    """The data a model was trained on, as far as a prediction needs to know it."""

    name: str
    fingerprint: str  # Dataset.fingerprint: 16 hex digits of a SHA-256 of the x and y values
    x_column: str
    y_column: str
    x_min: float
    x_max: float

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> TrainedOn:
        return cls(
            name=dataset.name,
            fingerprint=dataset.fingerprint,
            x_column=dataset.x_column,
            y_column=dataset.y_column,
            x_min=float(dataset.x.min()),
            x_max=float(dataset.x.max()),
        )


@dataclass(frozen=True)
class PortableModel:
    """A model ready to predict, with its settings and the data it was trained on."""

    result: TrainResult  # its history is empty unless the model was trained in this session
    data: TrainedOn
    epochs_done: int
    origin: Origin

    @classmethod
    def from_result(cls, result: TrainResult, dataset: Dataset) -> PortableModel:
        return cls(result, TrainedOn.from_dataset(dataset), result.epochs_done, "trained")

    @property
    def config(self) -> TrainConfig:
        return self.result.config

    @property
    def degree(self) -> int:
        return self.result.config.degree

    def coefficients(self) -> tuple[np.ndarray, float]:
        """Return (weights, bias) on the original x^k scale."""
        return self.result.coefficients()

    def layer_parameters(self) -> tuple[np.ndarray, float]:
        """Return the linear layer's own float32 weights (1-D) and bias, on the scaled features."""
        layer = self.result.model.layer
        return layer.weight.detach().numpy()[0].copy(), float(layer.bias.detach())

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.result.predict(np.asarray(x, dtype=np.float64))

    def outside_range(self, x: np.ndarray) -> np.ndarray:
        """Return a boolean per x: True where the model extrapolates beyond its training data."""
        x = np.asarray(x, dtype=np.float64)
        return (x < self.data.x_min) | (x > self.data.x_max)

    def matches(self, dataset: Dataset | None) -> bool:
        """Return whether ``dataset`` contains the same values the model was trained on."""
        return dataset is not None and dataset.fingerprint == self.data.fingerprint


def build_model(
    config: TrainConfig,
    weight: np.ndarray,
    bias: float,
    scaling: Scaling,
    data: TrainedOn,
    epochs_done: int,
    origin: Origin,
) -> PortableModel:
    """Build a ready model from checked parts: a PolyRegression module with these layer values."""
    module = PolyRegression(config.degree)
    with torch.no_grad():
        module.layer.weight.copy_(torch.tensor(np.asarray(weight, dtype=np.float32)[None, :]))  # (1, degree)
        module.layer.bias.copy_(torch.tensor([bias], dtype=torch.float32))  # (1,)
    module.eval()
    result = TrainResult(
        config=config,
        model=module,
        scaling=scaling,
        history=History.empty(config.degree),
        device="cpu",
        train_seconds=0.0,
    )
    return PortableModel(result, data, epochs_done, origin)


def config_from_dict(values: dict[str, object]) -> TrainConfig:
    """Build a TrainConfig from untrusted values, checking each field's type and range.

    A field that is missing takes its default, so files written before a setting existed
    still load. An unknown field raises ConfigError, because its meaning cannot be guessed.
    """
    defaults = TrainConfig()
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError("unknown_setting", name=unknown[0])
    checked = {name: _typed(name, value, getattr(defaults, name)) for name, value in values.items()}
    config = TrainConfig(**checked)
    check_config(config)
    return config


def check_config(config: TrainConfig) -> None:
    """Raise ConfigError for a setting outside its valid range, whatever the number of rows."""
    try:
        config.validate(_ROWS_FOR_SETTINGS_CHECK)
    except ConfigError:
        raise
    except PolyregError as exc:  # validate raises DataError only for fewer rows than this
        raise ConfigError(exc.code, **exc.params) from exc


def _typed(name: str, value: object, default: object) -> object:
    # bool is a subclass of int, so it is checked first and kept apart from numbers.
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError("invalid_setting", name=name, value=str(value)[:40], expected=type(default).__name__)
    return value


def check_parts(degree: int, weight: np.ndarray, bias: float, scaling: Scaling) -> None:
    """Raise ConfigError for layer values and scaling that cannot form a model of ``degree``."""
    if not MIN_DEGREE <= degree <= MAX_DEGREE:
        raise ConfigError("out_of_range", name="degree", value=degree, low=MIN_DEGREE, high=MAX_DEGREE)
    if weight.shape != (degree,):
        raise ConfigError("wrong_count", name="weights", expected=degree, found=weight.size)
    if not (np.isfinite(weight).all() and math.isfinite(bias)):
        raise ConfigError("not_finite", name="weights")
    for name, values in (("mean", scaling.mean), ("std", scaling.std)):
        if len(values) != degree:
            raise ConfigError("wrong_count", name=name, expected=degree, found=len(values))
    std = np.asarray(scaling.std)
    if not (np.isfinite(scaling.mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ConfigError("not_finite", name="scaling")


def check_x(values: np.ndarray) -> np.ndarray:
    """Return x values as float64, or raise ConfigError naming the first one that is not finite."""
    values = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ConfigError("invalid_number", value=str(values[bad][0]))
    return values


def optimum_for(model: PortableModel, dataset: Dataset) -> Optimum:
    """Compute the exact least-squares fit of the model's degree on ``dataset``."""
    return least_squares(polynomial_features(dataset.x, model.degree), dataset.y)


def optimum_predict(optimum: Optimum, x: np.ndarray) -> np.ndarray:
    features = polynomial_features(np.asarray(x, dtype=np.float64), len(optimum.weights))  # (n, degree)
    return features @ np.asarray(optimum.weights) + optimum.bias
