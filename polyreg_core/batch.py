"""Batch predictions: a column of x values from a CSV or Excel file, and the table of predictions."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

import numpy as np
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from polyreg_core.data import Dataset
from polyreg_core.errors import DataError
from polyreg_core.portable import PortableModel, optimum_for, optimum_predict

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
UPLOAD_TYPES = ["csv", "txt", "xlsx", "xlsm"]


def read_table(content: bytes, name: str) -> pd.DataFrame:
    """Parse an uploaded CSV or Excel file (its first sheet) into a DataFrame.

    Raises DataError for an empty or unreadable file, or one with a header and no rows.
    """
    # TODO: use the Data page's table parser (encodings, separators) once it reads Excel too.
    if not content.strip():
        raise DataError("empty_file", file=name)
    try:
        if PurePath(name).suffix.lower() in EXCEL_SUFFIXES:
            frame = pd.read_excel(io.BytesIO(content), engine="openpyxl")
        else:
            frame = pd.read_csv(io.BytesIO(content), skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise DataError("unreadable_table", file=name, detail=detail) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataError("no_rows", file=name)
    return frame


def default_column(frame: pd.DataFrame, model: PortableModel) -> str:
    """Pick the column to read x from: the model's x column, then "x", then the first column."""
    for column in (model.data.x_column, "x"):
        if column in frame.columns:
            return column
    return str(frame.columns[0])


def x_values(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    """Return ``column`` as finite float64 values, or raise DataError naming the first bad cell."""
    if column not in frame.columns:
        found = ", ".join(map(str, frame.columns)) or "-"
        raise DataError("missing_column", file=name, column=column, found=found)
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        # +2: the header is spreadsheet row 1 and pandas counts from 0.
        raise DataError("not_numeric", file=name, column=column, row=first + 2, value=str(frame[column].iloc[first]))
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
