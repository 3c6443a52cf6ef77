"""Saving and loading a model as a safetensors file, which loads without running any code.

The file contains the linear layer's ``state_dict`` (``layer.weight`` (1, degree) and
``layer.bias`` (1,), float32) and, as string metadata, the TrainConfig, the scaling, the
data's fingerprint, column names and x range, and the number of epochs trained.

Loading never unpickles. A pickle or a ``torch.save`` checkpoint is rejected by its first
bytes before anything else is read, and the safetensors header is parsed as JSON.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from polyreg_core.errors import ConfigError, ModelFileError
from polyreg_core.features import Scaling
from polyreg_core.portable import PortableModel, TrainedOn, build_model, check_parts, config_from_dict

FORMAT = "polyreg.model"
FORMAT_VERSION = "1"
SUFFIX = ".safetensors"
# A degree-3 model file has 768 bytes and degree 6 adds a few dozen, so a file over 1 MiB
# cannot be a polyreg model.
MAX_FILE_BYTES = 1 << 20
_HEADER_LENGTH_BYTES = 8
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_MAX_NAME_CHARS = 200
# Python pickles from protocol 2 on start with 0x80 and the protocol number. torch.save
# writes a zip archive, which starts with "PK\x03\x04".
_PICKLE_PREFIXES = tuple(bytes([0x80, protocol]) for protocol in range(2, 6))
_ZIP_PREFIX = b"PK\x03\x04"


def to_bytes(model: PortableModel) -> bytes:
    """Serialise ``model`` into the bytes of a safetensors file."""
    weight, bias = model.layer_parameters()
    tensors = {
        "layer.weight": torch.tensor(weight, dtype=torch.float32)[None, :],  # (1, degree)
        "layer.bias": torch.tensor([bias], dtype=torch.float32),  # (1,)
    }
    scaling = model.result.scaling
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "degree": str(model.degree),
        "config": json.dumps(model.config.to_dict(), allow_nan=False),
        "scaling": json.dumps({"mean": list(scaling.mean), "std": list(scaling.std)}, allow_nan=False),
        "data": json.dumps(asdict(model.data), allow_nan=False, ensure_ascii=False),
        "epochs_done": str(model.epochs_done),
    }
    return save_tensors(tensors, metadata=metadata)


def from_bytes(content: bytes, name: str, expected_degree: int | None = None) -> PortableModel:
    """Load a model saved by ``to_bytes``, or raise ModelFileError saying why it is rejected.

    With ``expected_degree`` a model of another degree is rejected too, and the error names
    both degrees.
    """
    if len(content) > MAX_FILE_BYTES:
        raise ModelFileError("model_too_large", file=name, size=len(content), limit=MAX_FILE_BYTES)
    if content.startswith(_PICKLE_PREFIXES) or content.startswith(_ZIP_PREFIX):
        raise ModelFileError("model_is_pickle", file=name)
    metadata = _read_metadata(content, name)
    if metadata.get("format") != FORMAT:
        raise ModelFileError("not_a_polyreg_model", file=name)
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelFileError("model_version", file=name, found=str(metadata.get("format_version"))[:20], supported=FORMAT_VERSION)
    try:
        model = _build(content, metadata)
    except ConfigError as exc:
        raise ModelFileError("invalid_model_file", file=name, reason=exc) from exc
    if expected_degree is not None and model.degree != expected_degree:
        raise ModelFileError("wrong_degree", file=name, expected=expected_degree, found=model.degree)
    return model


def _read_metadata(content: bytes, name: str) -> dict[str, str]:
    """Parse the safetensors header (an 8-byte little-endian length, then JSON)."""
    if len(content) < _HEADER_LENGTH_BYTES:
        raise ModelFileError("not_a_model", file=name)
    length = int.from_bytes(content[:_HEADER_LENGTH_BYTES], "little")
    if not 2 <= length <= len(content) - _HEADER_LENGTH_BYTES:
        raise ModelFileError("not_a_model", file=name)
    try:
        header = json.loads(content[_HEADER_LENGTH_BYTES : _HEADER_LENGTH_BYTES + length])
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError("not_a_model", file=name) from exc
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ModelFileError("not_a_polyreg_model", file=name)
    return metadata


def _build(content: bytes, metadata: dict[str, str]) -> PortableModel:
    config = config_from_dict(_json_object(metadata, "config"))
    if metadata.get("degree") != str(config.degree):
        raise ConfigError("degree_mismatch", stated=str(metadata.get("degree"))[:20], config=config.degree)
    weight, bias = _layer(content, config.degree)
    scaling = _scaling(_json_object(metadata, "scaling"))
    check_parts(config.degree, weight, bias, scaling)
    data = trained_on_from_dict(_json_object(metadata, "data"))
    epochs_done = _non_negative_int(metadata.get("epochs_done"), "epochs_done")
    return build_model(config, weight, bias, scaling, data, epochs_done, "file")


def _layer(content: bytes, degree: int) -> tuple[np.ndarray, float]:
    try:
        tensors = load_tensors(content)
    except SafetensorError as exc:
        raise ConfigError("invalid_tensors", detail=str(exc)[:80]) from exc
    shapes = {"layer.weight": (1, degree), "layer.bias": (1,)}
    if set(tensors) != set(shapes):
        raise ConfigError("wrong_tensors", found=", ".join(sorted(tensors))[:80], expected=", ".join(shapes))
    for key, shape in shapes.items():
        tensor = tensors[key]
        if tensor.dtype != torch.float32 or tuple(tensor.shape) != shape:
            raise ConfigError("wrong_tensor_shape", name=key, found=f"{tensor.dtype} {tuple(tensor.shape)}", expected=f"torch.float32 {shape}")
    return tensors["layer.weight"].numpy()[0], float(tensors["layer.bias"][0])


def _json_object(metadata: dict[str, str], key: str) -> dict:
    try:
        value = json.loads(metadata.get(key, ""))
    except ValueError as exc:
        raise ConfigError("invalid_field", name=key) from exc
    if not isinstance(value, dict):
        raise ConfigError("invalid_field", name=key)
    return value


def _scaling(values: dict) -> Scaling:
    mean, std = values.get("mean"), values.get("std")
    if not (_is_number_list(mean) and _is_number_list(std)):
        raise ConfigError("invalid_field", name="scaling")
    return Scaling(mean=tuple(float(v) for v in mean), std=tuple(float(v) for v in std))


def _is_number_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


def _non_negative_int(text: str | None, name: str) -> int:
    if text is None or not text.isdigit() or len(text) > 9:
        raise ConfigError("invalid_field", name=name)
    return int(text)


def trained_on_from_dict(values: dict) -> TrainedOn:
    """Check untrusted values describing the training data and build a TrainedOn."""
    texts = {key: values.get(key) for key in ("name", "x_column", "y_column")}
    for key, text in texts.items():
        if not isinstance(text, str) or len(text) > _MAX_NAME_CHARS:
            raise ConfigError("invalid_field", name=key)
    fingerprint = values.get("fingerprint")
    if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
        raise ConfigError("invalid_field", name="fingerprint")
    x_min, x_max = values.get("x_min"), values.get("x_max")
    if not _is_number_list([x_min, x_max]) or not (math.isfinite(x_min) and math.isfinite(x_max) and x_min <= x_max):
        raise ConfigError("invalid_field", name="x_min, x_max")
    return TrainedOn(fingerprint=fingerprint, x_min=float(x_min), x_max=float(x_max), **texts)
