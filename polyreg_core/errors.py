"""Typed errors for mistakes a user can make.

Each error carries a stable ``code`` (an i18n key under ``errors.``) and the parameters that
the translated message needs, so the pages and the CLI show it in the user's language.
"""

from __future__ import annotations


class PolyregError(Exception):
    """Base class of every error that a user's input can cause."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code} {params}")
        self.code = code
        self.params = params


class DataError(PolyregError):
    """A table that cannot be read or used for training."""


class ConfigError(PolyregError):
    """A training or prediction setting outside its valid range."""


class ModelFileError(PolyregError):
    """A saved model file that cannot be loaded."""
