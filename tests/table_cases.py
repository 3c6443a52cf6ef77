"""The test tables in tests/data/ and their expected outcomes from tests/data/cases.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent / "data"
CASES: list[dict] = tomllib.loads((DATA_DIR / "cases.toml").read_text(encoding="utf-8"))["case"]
LOADS = [case for case in CASES if "error" not in case]
ERRORS = [case for case in CASES if "error" in case]


def params(cases: list[dict]) -> list:
    """pytest parameters named by file, so a failure names the table."""
    return [pytest.param(case, id=case["file"]) for case in cases]


def content(case: dict) -> bytes:
    return (DATA_DIR / case["file"]).read_bytes()
