"""Batch predictions: a column of x values from a CSV or Excel file, and the table of predictions."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from polyreg_core import tables
from polyreg_core.data import Dataset
from polyreg_core.errors import DataError
from polyreg_core.portable import PortableModel, optimum_for, optimum_predict

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx"]
# The Data page's parser needs two columns of numbers. A file of x values often has one, so
# these rejections fall back to reading the file with pandas' defaults.
_ONE_COLUMN_CODES = ("one_column", "too_few_numeric_columns")


@dataclass(frozen=True)
class XTable:
    """An uploaded file's columns that can hold x values, with the cells as read."""

    name: str
    columns: tuple[str, ...]
    values: dict[str, np.ndarray]  # float64, NaN where a cell is not a number
    cells: pd.DataFrame  # to quote a bad cell back to the user
    first_row: int  # the spreadsheet row number of the first data row


def read_table(content: bytes, name: str) -> XTable:
    """Parse an uploaded CSV, TSV or .xlsx file with the Data page's parser.

    A file with a single column of numbers is read with pandas instead. Raises DataError for
    a file neither can read, or one without data rows.
    """
    try:
        table = tables.read_table(content, name, tables.Limits.from_env())
    except DataError as exc:
        if exc.code not in _ONE_COLUMN_CODES:
            raise
        return _read_with_pandas(content, name)
    return XTable(name, table.numeric_columns, table.values, table.cells, table.first_row)


def _read_with_pandas(content: bytes, name: str) -> XTable:
    try:
        if PurePath(name).suffix.lower() == ".xlsx":
            frame = pd.read_excel(io.BytesIO(content), engine="openpyxl")
        else:
            frame = pd.read_csv(io.BytesIO(content), skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise DataError("unreadable_table", file=name, detail=detail) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataError("no_rows", file=name)
    values = {
        column: pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        for column in frame.columns
    }
    # Offer the columns with at least one number. With none, offer all, so that choosing one
    # names its first bad cell.
    numeric = tuple(c for c in frame.columns if np.isfinite(values[c]).any()) or tuple(frame.columns)
    # +2: the header is spreadsheet row 1 and pandas counts from 0.
    return XTable(name, numeric, values, frame, first_row=2)


def default_column(table: XTable, model: PortableModel) -> str:
    """Pick the column to read x from: the model's x column, then "x" in any case, then the first."""
    by_lower = {column.lower(): column for column in table.columns}
    for expected in (model.data.x_column.lower(), "x"):
        if expected in by_lower:
            return by_lower[expected]
    return table.columns[0]


def x_values(table: XTable, column: str) -> np.ndarray:
    """Return ``column`` as finite float64 values, or raise DataError naming the first bad cell."""
    if column not in table.columns:
        raise DataError("missing_column", file=table.name, column=column, found=", ".join(table.columns) or "-")
    values = table.values[column]
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        cell = table.cells[column].iloc[first]
        raise DataError("not_numeric", file=table.name, column=column, row=table.first_row + first, value=str(cell))
    return values


def prediction_table(model: PortableModel, x: np.ndarray, dataset: Dataset | None) -> pd.DataFrame:
    """Build one row per x with the model's prediction and an ``outside_range`` flag.

    When ``dataset`` is the data the model was trained on, the rows also get the exact
    optimum's value and, if the dataset has a reference, the true curve's value.
    """
    table = pd.DataFrame({"x": x, "prediction": model.predict(x)})
    if model.matches(dataset):
        table["optimum"] = optimum_predict(optimum_for(model, dataset), x)
        if dataset.reference is not None:
            table["true"] = dataset.reference.curve(x)
    table["outside_range"] = model.outside_range(x)
    return table
