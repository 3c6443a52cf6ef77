"""Share links: a model's layer values, scaling and settings as URL query parameters.

A link carries everything a prediction needs, so opening it builds the model without
training. Query values come from whoever wrote the link, so each one is checked for type,
count, range and finiteness before it reaches the model, and a bad one raises ConfigError
naming the parameter.

Floats are written so that they read back exactly: the layer's float32 values in their
shortest float32 form, and the float64 scaling with ``repr``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

from polyreg_core.device import DEVICE_CHOICES
from polyreg_core.errors import ConfigError
from polyreg_core.features import MAX_DEGREE, MIN_DEGREE, Scaling
from polyreg_core.portable import PortableModel, TrainedOn, build_model, check_parts, config_from_dict
from polyreg_core.training import OPTIMIZERS

LINK_VERSION = "1"
# Parameters of a model link; ``x`` is separate because it also works with a trained model.
MODEL_KEYS = (
    "v", "w", "b", "degree", "standardize", "mean", "std", "epochs", "done", "lr", "batch_size",
    "shuffle", "drop_last", "seed", "optimizer", "momentum", "device", "x_range", "data",
)  # fmt: skip
# ``mean`` and ``std`` are read only with standardize=1. Without it the scaling is the identity.
_MAX_VALUE_CHARS = 1000
_SHOWN_CHARS = 30
_INT = re.compile(r"-?\d{1,10}")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def to_query(model: PortableModel, x: float | None = None) -> dict[str, str]:
    """Return the query parameters of a link that rebuilds ``model`` and, with ``x``, predicts it."""
    weight, bias = model.layer_parameters()
    config, scaling = model.config, model.result.scaling
    query = {
        "v": LINK_VERSION,
        "w": ",".join(_float32_text(v) for v in weight),
        "b": _float32_text(bias),
        "degree": str(config.degree),
        "standardize": _flag(config.standardize),
    }
    if config.standardize:
        query["mean"] = ",".join(repr(float(v)) for v in scaling.mean)
        query["std"] = ",".join(repr(float(v)) for v in scaling.std)
    query |= {
        "epochs": str(config.epochs),
        "done": str(model.epochs_done),
        "lr": repr(config.lr),
        "batch_size": str(config.batch_size),
        "shuffle": _flag(config.shuffle),
        "drop_last": _flag(config.drop_last),
        "seed": str(config.seed),
        "optimizer": config.optimizer,
        "momentum": repr(config.momentum),
        "device": config.device,
        "x_range": f"{model.data.x_min!r},{model.data.x_max!r}",
        "data": model.data.fingerprint,
    }
    if x is not None:
        query["x"] = repr(float(x))
    return query


def _float32_text(value: float) -> str:
    # numpy prints a float32 in the fewest digits that parse back to the same float32.
    text = str(np.float32(value))
    return text if np.float32(float(text)) == np.float32(value) else repr(float(value))


def _flag(value: bool) -> str:
    return "1" if value else "0"


def is_model_link(params: Mapping[str, str]) -> bool:
    return any(key in params for key in MODEL_KEYS)


def model_from_query(params: Mapping[str, str]) -> PortableModel:
    """Build the model a share link describes, or raise ConfigError naming the bad parameter."""
    reader = _Reader(params)
    if reader.text("v") != LINK_VERSION:
        raise ConfigError("link_version", found=_shown(reader.text("v")), supported=LINK_VERSION)
    degree = reader.integer("degree")
    if not MIN_DEGREE <= degree <= MAX_DEGREE:
        reader.fail("degree", ConfigError("out_of_range", name="degree", value=degree, low=MIN_DEGREE, high=MAX_DEGREE))
    standardize = reader.flag("standardize")
    weight = np.asarray(reader.float32_numbers("w", degree), dtype=np.float32)
    bias = reader.float32_numbers("b", 1)[0]
    if standardize:
        scaling = Scaling(mean=tuple(reader.numbers("mean", degree)), std=tuple(reader.numbers("std", degree)))
    else:
        scaling = Scaling.identity(degree)
    settings = {
        "epochs": reader.integer("epochs"),
        "lr": reader.number("lr"),
        "batch_size": reader.integer("batch_size"),
        "shuffle": reader.flag("shuffle"),
        "drop_last": reader.flag("drop_last"),
        "seed": reader.integer("seed"),
        "device": reader.choice("device", DEVICE_CHOICES),
        "degree": degree,
        "standardize": standardize,
        "optimizer": reader.choice("optimizer", OPTIMIZERS),
        "momentum": reader.number("momentum"),
    }
    x_min, x_max = reader.numbers("x_range", 2)
    if x_min > x_max:
        raise ConfigError("invalid_link", param="x_range", reason=ConfigError("range_order", low=x_min, high=x_max))
    done = reader.integer("done")
    if done < 0:
        raise ConfigError("invalid_link", param="done", reason=ConfigError("negative", value=done))
    fingerprint = reader.text("data")
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise ConfigError("invalid_link", param="data", reason=ConfigError("not_fingerprint", value=_shown(fingerprint)))

    try:
        config = config_from_dict(settings)
        check_parts(degree, weight.astype(np.float64), bias, scaling)
    except ConfigError as exc:
        raise ConfigError("invalid_link_model", reason=exc) from exc
    data = TrainedOn(name="", fingerprint=fingerprint, x_column="x", y_column="y", x_min=x_min, x_max=x_max)
    return build_model(config, weight, bias, scaling, data, done, "link")


def x_from_query(params: Mapping[str, str]) -> float | None:
    """Return the link's ``x`` as a finite float, None when absent, or raise ConfigError."""
    if "x" not in params:
        return None
    return _Reader(params).number("x")


def _shown(text: str) -> str:
    """Shorten an untrusted value for a message."""
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


class _Reader:
    """Reads typed values from query parameters, raising ConfigError("invalid_link") on bad ones."""

    def __init__(self, params: Mapping[str, str]) -> None:
        self.params = params

    def text(self, key: str) -> str:
        if key not in self.params:
            raise ConfigError("link_missing", param=key)
        value = str(self.params[key])
        if len(value) > _MAX_VALUE_CHARS:
            self.fail(key, ConfigError("too_long", length=len(value), limit=_MAX_VALUE_CHARS))
        return value.strip()

    def fail(self, key: str, reason: ConfigError):
        raise ConfigError("invalid_link", param=key, reason=reason)

    def number(self, key: str) -> float:
        return self._float(key, self.text(key))

    def _float(self, key: str, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            self.fail(key, ConfigError("not_a_number", value=_shown(text)))
        if not math.isfinite(value):
            self.fail(key, ConfigError("not_a_number", value=_shown(text)))
        return value

    def numbers(self, key: str, count: int) -> list[float]:
        parts = self.text(key).split(",")
        if len(parts) != count:
            self.fail(key, ConfigError("wrong_count", name=key, expected=count, found=len(parts)))
        return [self._float(key, part.strip()) for part in parts]

    def float32_numbers(self, key: str, count: int) -> list[float]:
        """Read numbers that become float32 layer values, so each must fit in float32."""
        values = self.numbers(key, count)
        limit = float(np.finfo(np.float32).max)
        for value in values:
            if abs(value) > limit:
                self.fail(key, ConfigError("not_float32", value=value))
        return values

    def integer(self, key: str) -> int:
        text = self.text(key)
        if not _INT.fullmatch(text):
            self.fail(key, ConfigError("not_integer", value=_shown(text)))
        return int(text)

    def flag(self, key: str) -> bool:
        text = self.text(key)
        if text not in ("0", "1"):
            self.fail(key, ConfigError("not_flag", value=_shown(text)))
        return text == "1"

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        text = self.text(key)
        if text not in choices:
            self.fail(key, ConfigError("not_a_choice", value=_shown(text), choices=", ".join(choices)))
        return text
