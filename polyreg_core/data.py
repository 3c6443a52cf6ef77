"""Datasets: the validated (x, y) table, reading a CSV, and the sample generator."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from polyreg_core.errors import DataError

# The lesson's data: y = 3.1x² − 1.7x + U(0.01, 0.99), x from −10.0 to 9.9 in steps of 0.1.
LESSON_WEIGHTS = (3.1, -1.7)
SAMPLE_SEED = 9

# Limits that keep a hostile or mistaken file from tying up a server shared by a class.
# The byte limit matches server.maxUploadSize in .streamlit/config.toml (50 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 1_000
MAX_SHOWN_VALUE_CHARS = 40
MAX_SHOWN_DETAIL_CHARS = 120


@dataclass(frozen=True)
class Reference:
    """The true curve y = a·x² + b·x + c that a dataset was drawn around.

    ``bias`` is the intercept the exact optimum should approach (c plus the mean of the
    noise), or None when it is not known, as for an uploaded file.
    """

    weights: tuple[float, float] = LESSON_WEIGHTS
    bias: float | None = None

    def curve(self, x: np.ndarray) -> np.ndarray:
        a, b = self.weights
        return a * x**2 + b * x + (self.bias or 0.0)


@dataclass(frozen=True)
class Dataset:
    """A validated table of (x, y) pairs, ready for training."""

    x: np.ndarray  # (n_samples,) float64
    y: np.ndarray  # (n_samples,) float64
    name: str
    x_column: str = "x"
    y_column: str = "y"
    reference: Reference | None = field(default_factory=Reference)
    dropped_rows: tuple[int, ...] = ()  # row numbers as a spreadsheet shows them

    def __len__(self) -> int:
        return len(self.x)

    @property
    def fingerprint(self) -> str:
        """A short SHA-256 of the values, so an export can name the data it was trained on."""
        digest = hashlib.sha256(self.x.tobytes() + self.y.tobytes()).hexdigest()
        return digest[:16]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({self.x_column: self.x, self.y_column: self.y})


@dataclass(frozen=True)
class SampleSpec:
    """The recipe of a generated dataset: y = a·x² + b·x + c + noise."""

    a: float = LESSON_WEIGHTS[0]
    b: float = LESSON_WEIGHTS[1]
    c: float = 0.0
    noise: str = "uniform"  # "uniform": U(noise_low, noise_high); "normal": N(0, noise_std)
    noise_low: float = 0.01
    noise_high: float = 0.99
    noise_std: float = 1.0
    x_start: float = -10.0
    x_step: float = 0.1
    n_points: int = 200
    seed: int = SAMPLE_SEED

    @property
    def noise_mean(self) -> float:
        return (self.noise_low + self.noise_high) / 2 if self.noise == "uniform" else 0.0


def generate(spec: SampleSpec = SampleSpec()) -> Dataset:
    """Draw a dataset from ``spec``; the defaults are the lesson's recipe."""
    rng = np.random.default_rng(spec.seed)
    # Integer steps, then scale, so that x lands on the lesson's 0.1 grid without drift.
    x = spec.x_start + np.arange(spec.n_points) * spec.x_step
    x = np.round(x, 10)
    if spec.noise == "uniform":
        noise = rng.uniform(spec.noise_low, spec.noise_high, size=spec.n_points)
    else:
        noise = rng.normal(0.0, spec.noise_std, size=spec.n_points)
    y = spec.a * x**2 + spec.b * x + spec.c + noise
    reference = Reference(weights=(spec.a, spec.b), bias=spec.c + spec.noise_mean)
    return Dataset(x=x, y=y, name="sample", reference=reference)


def sample_csv(spec: SampleSpec = SampleSpec()) -> str:
    """Render a generated dataset as CSV text, rounded the way the lesson's file is."""
    data = generate(spec)
    frame = pd.DataFrame({"x": np.round(data.x, 6), "y": np.round(data.y, 2)})
    return frame.to_csv(index=False)


def read_csv(content: bytes, name: str, reference: Reference | None = Reference()) -> Dataset:
    """Parse a CSV with numeric columns ``x`` and ``y`` into a Dataset.

    Raises DataError with a code naming what is wrong: an empty, oversized or unreadable file,
    too many columns, a missing column, or a value that is not a number (with its spreadsheet
    row). DataError is the only exception that bad content raises.
    """
    _check_size(content, name)
    try:
        # index_col=False: without it pandas turns the first column into the index when every
        # row has one field more than the header, and x would silently be read from column 2.
        # NOTE: a first data row with more fields than the header is cut to the header's width,
        # and pandas only warns. A later row with more fields raises.
        frame = pd.read_csv(io.BytesIO(content), skipinitialspace=True, index_col=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError("unreadable_csv", file=name, detail=_first_line(str(exc))) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in ("x", "y"):
        if list(frame.columns).count(column) > 1:
            # pandas renames exact duplicates to "x.1", but "x" and "x " only collide after strip()
            raise DataError("duplicate_column", file=name, column=column)
        if column not in frame.columns:
            found = _shorten(", ".join(map(str, frame.columns)) or "-")
            raise DataError("missing_column", file=name, column=column, found=found)
    if frame.empty:
        raise DataError("no_rows", file=name)
    x = _numeric_column(frame, "x", name)
    y = _numeric_column(frame, "y", name)
    return Dataset(x=x, y=y, name=name, reference=reference)


def _check_size(content: bytes, name: str) -> None:
    """Reject what pandas would take long or much memory to read, before it reads anything."""
    if not content.strip():
        raise DataError("empty_file", file=name)
    if len(content) > MAX_FILE_BYTES:
        raise DataError("file_too_large", file=name, size_mb=len(content) / 2**20, limit_mb=MAX_FILE_BYTES / 2**20)
    # Every column costs pandas an object of its own, so a header of a million names takes
    # seconds and gigabytes. A first data row longer than the header takes a slow path too,
    # while later long rows fail fast. Counting separators in the first two lines gives an
    # upper bound on their fields, because quoted commas count too.
    for line_number, line in enumerate(_first_lines(content, 2), start=1):
        fields = line.count(b",") + 1
        if fields > MAX_COLUMNS:
            raise DataError("too_many_columns", file=name, row=line_number, columns=fields, limit=MAX_COLUMNS)


def _first_lines(content: bytes, count: int) -> list[bytes]:
    lines, start = [], 0
    while len(lines) < count and start < len(content):
        end = content.find(b"\n", start)
        end = len(content) if end < 0 else end
        lines.append(content[start:end])
        start = end + 1
    return lines


def _first_line(text: str) -> str:
    """Shorten a parser message to its first line, without pandas' prefix about its C tokenizer."""
    lines = text.strip().splitlines()
    line = (lines[0] if lines else text).removeprefix("Error tokenizing data. C error: ")
    return _shorten(line, MAX_SHOWN_DETAIL_CHARS)


def _shorten(text: str, limit: int = MAX_SHOWN_VALUE_CHARS) -> str:
    """Cut a value quoted in a message, so a one-megabyte cell cannot flood a page or a log."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _numeric_column(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        # +2: the header is spreadsheet row 1 and pandas counts from 0.
        raise DataError(
            "not_numeric",
            file=name,
            column=column,
            row=first + 2,
            value=_shorten(str(frame[column].iloc[first])),
        )
    return values.to_numpy(dtype=np.float64)


if __name__ == "__main__":
    # Regenerate the bundled sample: python -m polyreg_core.data > data/dataset.csv
    print(sample_csv(), end="")
