"""Device detection: CUDA, then Apple's MPS, then the CPU."""

from __future__ import annotations

import torch

from polyreg_core.errors import ConfigError

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def available_devices() -> list[str]:
    """Return the devices this machine can train on, best first."""
    devices = []
    if torch.cuda.is_available():
        devices.append("cuda")
    if torch.backends.mps.is_available():
        devices.append("mps")
    devices.append("cpu")
    return devices


def detect_device() -> str:
    return available_devices()[0]


def resolve_device(name: str) -> torch.device:
    """Turn a device choice (``auto`` or a name) into a ``torch.device`` that exists here."""
    if name == "auto":
        return torch.device(detect_device())
    if name not in DEVICE_CHOICES:
        raise ConfigError("unknown_device", device=name, choices=", ".join(DEVICE_CHOICES))
    if name not in available_devices():
        raise ConfigError("device_unavailable", device=name, available=", ".join(available_devices()))
    return torch.device(name)
