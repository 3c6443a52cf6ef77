"""Datasets: the validated (x, y) table, reading a CSV, and the sample generator."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from polyreg_core.errors import ConfigError

if TYPE_CHECKING:
    from polyreg_core.tables import Limits

# The lesson's data: y = 3.1x² − 1.7x + U(0.01, 0.99), x from −10.0 to 9.9 in steps of 0.1.
LESSON_WEIGHTS = (3.1, -1.7)
SAMPLE_SEED = 9
# Values beyond this overflow the float32 tensors that the model trains on.
FLOAT32_MAX = float(np.finfo(np.float32).max)


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
class BadCell:
    """A cell that made its row unusable, as the user would find it in a spreadsheet."""

    row: int
    column: str  # empty for a blank row
    value: str  # the cell's text as read, empty when blank
    reason: str  # "blank_row", "blank", "not_a_number", "not_finite", "out_of_range" or "decimal_point"


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
    bad_cells: tuple[BadCell, ...] = ()  # the first few cells that made their rows dropped

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

    @classmethod
    def over_range(cls, x_min: float, x_max: float, n_points: int, **recipe: object) -> SampleSpec:
        """Build a recipe of ``n_points`` evenly spaced x from ``x_min`` up to, but not including, ``x_max``.

        The lesson's grid is ``over_range(-10, 10, 200)``: −10.0 to 9.9 in steps of 0.1.
        """
        return cls(x_start=x_min, x_step=(x_max - x_min) / n_points if n_points > 0 else 0.0, n_points=n_points, **recipe)

    def validate(self, max_points: int) -> None:
        """Raise ConfigError for a recipe that cannot give a table to train on."""
        numbers = (self.a, self.b, self.c, self.noise_low, self.noise_high, self.noise_std, self.x_start, self.x_step)
        if not all(math.isfinite(v) for v in numbers) or self.x_step <= 0:
            raise ConfigError("invalid_x_range", low=self.x_start, high=self.x_start + self.x_step * self.n_points)
        if not 2 <= self.n_points <= max_points:
            raise ConfigError("invalid_points", value=self.n_points, high=max_points)
        if self.noise == "uniform" and self.noise_high < self.noise_low:
            raise ConfigError("invalid_noise_range", low=self.noise_low, high=self.noise_high)
        if self.noise == "normal" and self.noise_std < 0:
            raise ConfigError("invalid_noise_std", value=self.noise_std)


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


def generate_checked(spec: SampleSpec, max_points: int) -> Dataset:
    """Validate ``spec``, draw its dataset and make sure every y fits in float32.

    Raises ConfigError for an invalid recipe or values beyond the float32 range that the
    model computes in.
    """
    spec.validate(max_points)
    data = generate(spec)
    largest = float(np.max(np.abs(data.y)))
    if not largest <= FLOAT32_MAX:
        raise ConfigError("generated_too_large", value=largest)
    return replace(data, name=f"generated_seed{spec.seed}")


def sample_csv(spec: SampleSpec = SampleSpec()) -> str:
    """Render a generated dataset as CSV text, rounded the way the lesson's file is."""
    data = generate(spec)
    frame = pd.DataFrame({"x": np.round(data.x, 6), "y": np.round(data.y, 2)})
    return frame.to_csv(index=False)


def read_csv(content: bytes, name: str, reference: Reference | None = Reference(), limits: Limits | None = None) -> Dataset:
    """Parse a CSV or .xlsx file into a Dataset of its x and y columns.

    The columns are ``x`` and ``y`` when the file has them, else its first two numeric
    columns. Rows with an unusable x or y are dropped and listed in ``dropped_rows``. Raises
    DataError with a code naming what is wrong; see ``polyreg_core.tables``. ``limits``
    defaults to those set in the environment (``Limits.from_env``).
    """
    # Imported here because tables.py builds on this module's Dataset.
    from polyreg_core.tables import Limits, read_table, to_dataset

    table = read_table(content, name, Limits.from_env() if limits is None else limits)
    x_column, y_column = table.default_columns()
    return to_dataset(table, x_column, y_column, reference)


if __name__ == "__main__":
    # Regenerate the bundled sample: python -m polyreg_core.data > data/dataset.csv
    print(sample_csv(), end="")
