"""CSV downloads that a spreadsheet opens as data: formula cells are neutralised.

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a
formula, so text from an uploaded file (a column name, a label) could run in the teacher's
spreadsheet. Such text cells get a leading apostrophe, which spreadsheets show as text.
Numeric columns are written as numbers, so negative values stay numbers.
"""

from __future__ import annotations

import re

import pandas as pd

from polyreg_core.history import History

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A text cell that is a plain number ("-2.5") is no formula and stays as written.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(cell: object) -> object:
    """Return a text cell prefixed with an apostrophe when a spreadsheet would run it."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_PREFIXES) or _PLAIN_NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Render ``frame`` as UTF-8 CSV with every text cell and header neutralised.

    The UTF-8 byte-order mark makes Excel read Korean headers correctly.
    """
    safe = frame.copy()
    safe.columns = [neutralise(str(column)) for column in frame.columns]
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column])):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8-sig")


def history_frame(history: History) -> pd.DataFrame:
    """Build one row per epoch: epoch, cost, w1 … wd (original x^k scale) and bias."""
    degree = history.weights.shape[1]
    columns = {"epoch": history.epoch, "cost": history.cost}
    for i in range(degree):
        columns[f"w{i + 1}_x^{degree - i}"] = history.weights[:, i]
    columns["bias"] = history.bias
    return pd.DataFrame(columns)
