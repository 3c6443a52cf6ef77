"""Shared fixtures: the repository's paths and the lesson's own files when ../shared is there."""

from pathlib import Path

import pytest

from polyreg_core.data import Dataset, read_csv

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "data" / "dataset.csv"
LESSON_CSV = ROOT.parent / "shared" / "tutorial" / "dataset.csv"


@pytest.fixture
def sample() -> Dataset:
    return read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)


@pytest.fixture
def lesson_csv() -> Path:
    if not LESSON_CSV.exists():
        pytest.skip("the lesson's dataset.csv is in ../shared/tutorial, which is not beside this clone")
    return LESSON_CSV
