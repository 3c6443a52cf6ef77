"""Reading an uploaded table into numeric columns, and turning two of them into a Dataset.

The public API is small, so that the pages, the CLI and batch prediction share one parser:

- ``Limits``: the size and row limits, from the environment with ``Limits.from_env()``.
- ``read_table(content, name, limits)``: CSV, TSV or .xlsx bytes to a ``Table``.
- ``to_dataset(table, x_column, y_column, reference)``: a ``Dataset`` of the usable rows.

Both raise ``DataError`` with a code for every problem a user's file can have. Row numbers in
errors and reports are the ones a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from polyreg_core import sniff
from polyreg_core.data import FLOAT32_MAX, BadCell, Dataset, Reference
from polyreg_core.errors import ConfigError, DataError

DEFAULT_MAX_UPLOAD_MB = 50
DEFAULT_MAX_ROWS = 1_000_000
MAX_UPLOAD_ENV = "POLYREG_MAX_UPLOAD_MB"
MAX_ROWS_ENV = "POLYREG_MAX_ROWS"

# How many bad cells a report describes, and how many dropped row numbers a message lists.
MAX_EXAMPLES = 5
# Wider rows are rejected before parsing: pandas spends seconds per 100,000 fields on a first
# data row longer than the header (it builds an index level per extra field).
MAX_COLUMNS = 1_000
MAX_WIDTH_CHECK_LINES = 20  # the title lines the sniffer may skip, the header and the first rows
MAX_LISTED_ROWS = 10

NUMBER, TEXT, BOOLEAN, EMPTY, INDEX = "number", "text", "boolean", "empty", "index"
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "참", "거짓", "예", "아니요", "아니오"})
# The pattern of a cell that is read as a number. Arrow's cast accepts every match.
_FLOAT_PATTERN = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?(?i:inf|infinity|nan)$"
_UNNAMED = re.compile(r"Unnamed: \d+")  # what pandas writes for a column without a name
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


@dataclass(frozen=True)
class Limits:
    """The maximum upload size and row count that ``read_table`` accepts."""

    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    max_rows: int = DEFAULT_MAX_ROWS

    @property
    def max_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """Read POLYREG_MAX_UPLOAD_MB and POLYREG_MAX_ROWS, raising ConfigError for an invalid value."""
        upload = environ.get(MAX_UPLOAD_ENV, "").strip()
        rows = environ.get(MAX_ROWS_ENV, "").strip()
        return cls(
            max_upload_mb=_positive(MAX_UPLOAD_ENV, upload, float) if upload else DEFAULT_MAX_UPLOAD_MB,
            max_rows=_positive(MAX_ROWS_ENV, rows, int) if rows else DEFAULT_MAX_ROWS,
        )


def _positive(variable: str, text: str, kind: type) -> float | int:
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value <= 0:
        raise ConfigError("invalid_limit", variable=variable, value=text)
    return value


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, its spreadsheet letter and what its cells hold."""

    name: str
    letter: str
    kind: str  # NUMBER, TEXT, BOOLEAN, EMPTY or INDEX; only NUMBER columns are offered as x or y


@dataclass(frozen=True, eq=False)
class Table:
    """A parsed upload: every column as read, and the numeric ones as float64 arrays."""

    name: str
    format: str  # "csv" or "xlsx"
    columns: tuple[Column, ...]
    values: dict[str, np.ndarray]  # NUMBER columns only; NaN where a cell is not a number
    cells: pd.DataFrame  # the cells as read, to quote a bad one back to the user
    first_row: int  # the spreadsheet row number of the first data row
    has_header: bool
    encoding: str | None = None  # text files only, as in "CP949"
    separator: str | None = None
    decimal: str | None = None
    sheet: str | None = None  # .xlsx only: the sheet that was read
    sheet_count: int = 0
    titles: tuple[str, ...] = ()  # one-cell title or note rows skipped above the column names

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind == NUMBER)

    @property
    def other_columns(self) -> tuple[Column, ...]:
        """The columns not offered as x or y: text, true/false, empty and an index."""
        return tuple(c for c in self.columns if c.kind != NUMBER)

    def default_columns(self) -> tuple[str, str]:
        """Return the columns named x and y (in any case) when both are numeric, else the first two numeric ones."""
        by_lower = {name.lower(): name for name in self.numeric_columns}
        if "x" in by_lower and "y" in by_lower:
            return by_lower["x"], by_lower["y"]
        first, second = self.numeric_columns[:2]
        return first, second

    @property
    def needs_column_choice(self) -> bool:
        """True unless the numeric columns are exactly x and y, so the user must confirm the choice."""
        return sorted(n.lower() for n in self.numeric_columns) != ["x", "y"]


def read_table(content: bytes, name: str, limits: Limits = Limits()) -> Table:
    """Parse CSV, TSV or .xlsx bytes into a Table, guessing format, encoding and layout.

    Raises DataError for a file over the size or row limit, an empty or binary file, an
    unknown encoding, a single column, a row with more cells than the header, or fewer than
    two columns of numbers.
    """
    if len(content) > limits.max_bytes:
        size_mb = len(content) / (1024 * 1024)
        raise DataError("file_too_large", file=name, size_mb=size_mb, limit_mb=limits.max_upload_mb, variable=MAX_UPLOAD_ENV)
    if not content or content.isspace():
        raise DataError("empty_file", file=name)
    if sniff.detect_format(content, name) == "xlsx":
        table = _read_xlsx(content, name, limits)
    else:
        table = _read_text(content, name, limits)
    if len(table.numeric_columns) < 2:
        found = ", ".join(c.name for c in table.columns) or "-"
        raise DataError("too_few_numeric_columns", file=name, count=len(table.numeric_columns), found=found)
    return table


def to_dataset(table: Table, x_column: str, y_column: str, reference: Reference | None = Reference()) -> Dataset:
    """Build a Dataset from two numeric columns, dropping and reporting the unusable rows.

    A row is dropped when its x or y is blank, not a number, infinite or NaN, or beyond the
    float32 range. Raises DataError for an unknown or non-numeric column, x equal to y, or
    fewer than two usable rows.
    """
    for column in (x_column, y_column):
        _check_numeric(table, column)
    if x_column == y_column:
        raise DataError("same_column", file=table.name, column=x_column)
    x = table.values[x_column]
    y = table.values[y_column]
    bad = ~_usable(x) | ~_usable(y)
    bad_index = np.flatnonzero(bad)
    usable = len(x) - len(bad_index)
    if usable < 2 and not len(bad_index):
        raise DataError("too_few_data_rows", file=table.name, usable=usable)
    if usable < 2:
        rows = format_rows(table.first_row + bad_index)
        raise DataError("too_few_usable_rows", file=table.name, usable=usable, dropped=len(bad_index), rows=rows)
    return Dataset(
        x=x[~bad],
        y=y[~bad],
        name=table.name,
        x_column=x_column,
        y_column=y_column,
        reference=reference,
        dropped_rows=tuple((table.first_row + bad_index).tolist()),
        bad_cells=_bad_cells(table, (x_column, y_column), bad_index[:MAX_EXAMPLES]),
    )


def format_rows(rows, limit: int = MAX_LISTED_ROWS) -> str:
    """List the first ``limit`` row numbers, with "…" when there are more: "3, 7, 12, …"."""
    rows = [int(r) for r in rows[: limit + 1]]
    text = ", ".join(str(r) for r in rows[:limit])
    return text + ", …" if len(rows) > limit else text


def _check_numeric(table: Table, column: str) -> None:
    if column in table.values:
        return
    numeric = ", ".join(table.numeric_columns)
    known = {c.name for c in table.columns}
    code = "column_not_numeric" if column in known else "unknown_column"
    raise DataError(code, file=table.name, column=column, numeric=numeric)


def _usable(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values) <= FLOAT32_MAX)


def _bad_cells(table: Table, columns: tuple[str, str], indices: np.ndarray) -> tuple[BadCell, ...]:
    """Describe the first bad cell of each given row, or the whole row when it is blank."""
    cells = []
    for i in indices:
        row = table.first_row + int(i)
        if all(_is_blank(v) for v in table.cells.iloc[i]):
            cells.append(BadCell(row=row, column="", value="", reason="blank_row"))
            continue
        for column in columns:
            cell = table.cells[column].iloc[i]
            reason = _bad_reason(cell, table.values[column][i], table.decimal)
            if reason:
                value = "" if reason == "blank" else _quote(cell)
                cells.append(BadCell(row=row, column=column, value=value, reason=reason))
                break
    return tuple(cells)


def _bad_reason(cell: object, value: float, decimal: str | None) -> str | None:
    if _is_blank(cell):
        return "blank"
    if math.isfinite(value):
        return "out_of_range" if abs(value) > FLOAT32_MAX else None
    if not math.isnan(value) or str(cell).strip().lower() in {"nan", "-nan", "+nan"}:
        return "not_finite"
    if decimal == "," and _is_float(str(cell).strip()):
        return "decimal_point"
    return "not_a_number"


def _is_blank(cell: object) -> bool:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA:
        return True
    return isinstance(cell, str) and not cell.strip()


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _quote(cell: object) -> str:
    text = str(cell).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def spreadsheet_letter(index: int) -> str:
    """Return the spreadsheet name of a 0-based column: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- text files --------------------------------------------------------------------------


def _read_text(content: bytes, name: str, limits: Limits) -> Table:
    text, encoding = sniff.decode(content, name)
    if not text.strip():
        raise DataError("empty_file", file=name)
    _check_width(text, name)
    layout = sniff.sniff_layout(text, name)
    names, unnamed = _column_names(layout.header, layout.n_columns)
    # UTF-8 bytes go straight to pandas' C parser; anything else is re-encoded once.
    data = content if encoding == "UTF-8" else text.encode("utf-8")
    frame = _parse_csv(data, layout, names, limits, name)
    first_row = layout.skip_lines + (2 if layout.has_header else 1)
    frame = _trim_trailing_blank_rows(frame)
    if frame.empty:
        raise DataError("no_rows", file=name)
    if len(frame) > limits.max_rows:
        raise DataError("too_many_rows", file=name, limit=limits.max_rows, variable=MAX_ROWS_ENV)
    columns, values = _classify(frame, unnamed, layout.has_header, layout.decimal)
    return Table(
        name=name,
        format="csv",
        columns=columns,
        values=values,
        cells=frame[[c.name for c in columns]],
        first_row=first_row,
        has_header=layout.has_header,
        encoding=encoding,
        separator=layout.separator,
        decimal=layout.decimal,
        titles=layout.titles,
    )


def _check_width(text: str, name: str) -> None:
    """Raise DataError for a line among the first ones with more than MAX_COLUMNS fields.

    The separator is not known yet, so each candidate counts. This is an upper bound on the
    fields, because separators inside quotes count too.
    """
    for number, line in enumerate(text.split("\n", MAX_WIDTH_CHECK_LINES)[:MAX_WIDTH_CHECK_LINES], start=1):
        fields = max(line.count(separator) for separator in (",", ";", "\t")) + 1
        if fields > MAX_COLUMNS:
            raise DataError("too_many_columns", file=name, row=number, columns=fields, limit=MAX_COLUMNS)


def _parse_csv(data: bytes, layout: sniff.Layout, names: list[str], limits: Limits, name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.BytesIO(data),
            sep=layout.separator,
            decimal=layout.decimal,
            header=0 if layout.has_header else None,
            names=names,
            skiprows=layout.skip_lines,
            # Blank lines stay as all-NaN rows, so that row i is still spreadsheet row first_row + i
            # and a blank row can be reported instead of vanishing.
            skip_blank_lines=False,
            skipinitialspace=True,
            # Only an empty cell is missing. "NA" or "nan" stay text, so a report can quote them.
            keep_default_na=False,
            na_values=[""],
            # One more than the limit is enough to know that the file is over it.
            nrows=limits.max_rows + 1,
            # Whole-file type inference: chunked reading can mix floats and strings in a column.
            low_memory=False,
            encoding="utf-8",
        )
    except pd.errors.EmptyDataError as exc:
        raise DataError("empty_file", file=name) from exc
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, layout, name) from exc


def _parser_error(exc: pd.errors.ParserError, layout: sniff.Layout, name: str) -> DataError:
    message = str(exc)
    ragged = _RAGGED.search(message)
    if ragged:
        expected, line, found = (int(g) for g in ragged.groups())
        # pandas counts records from 1, skipped lines included, so a quoted cell that spans
        # several lines counts once, as in a spreadsheet.
        return DataError("ragged_row", file=name, row=line, expected=expected, found=found)
    quote = _UNCLOSED_QUOTE.search(message)
    if quote:
        row = int(quote.group(1)) + 1  # pandas counts lines from 0, skipped ones included
        return DataError("unclosed_quote", file=name, row=row)
    return DataError("unreadable_csv", file=name, detail=message.strip().splitlines()[-1])


def _column_names(header: tuple[str, ...], n_columns: int) -> tuple[list[str], set[int]]:
    """Name every column: its header cell, or its spreadsheet letter when that cell is empty.

    Returns the names, made unique by adding the letter, and the positions that had no name.
    """
    names: list[str] = []
    unnamed: set[int] = set()
    for i in range(n_columns):
        cell = header[i].strip() if i < len(header) else ""
        if not cell or _UNNAMED.fullmatch(cell):
            unnamed.add(i)
            cell = spreadsheet_letter(i)
        names.append(cell)
    seen: set[str] = set()
    for i, cell in enumerate(names):
        if cell in seen:
            names[i] = f"{cell} ({spreadsheet_letter(i)})"
        seen.add(names[i])
    return names, unnamed


def _trim_trailing_blank_rows(frame: pd.DataFrame) -> pd.DataFrame:
    # Empty lines after the last row carry no data. A spreadsheet shows them as the endless
    # empty rows below the table, so they are not reported as dropped.
    if frame.empty:
        return frame
    filled = frame.notna().to_numpy().any(axis=1)
    if filled[-1]:
        return frame
    last = np.flatnonzero(filled)
    return frame.iloc[: last[-1] + 1 if len(last) else 0]


# --- column kinds ----------------------------------------------------------------------------


def _classify(
    frame: pd.DataFrame, unnamed: set[int], has_header: bool, decimal: str
) -> tuple[tuple[Column, ...], dict[str, np.ndarray]]:
    """Find each column's kind and the float64 values of the numeric ones.

    Columns without a name and without a single cell (the trace of trailing separators) are left
    out. A leading unnamed column of consecutive whole numbers becomes an index when two other
    numeric columns remain.
    """
    columns: list[Column] = []
    values: dict[str, np.ndarray] = {}
    for i, name in enumerate(frame.columns):
        kind, numbers = _column_kind(frame[name], decimal)
        if kind == EMPTY and i in unnamed:
            continue
        columns.append(Column(name=name, letter=spreadsheet_letter(i), kind=kind))
        if numbers is not None:
            values[name] = numbers
    first = columns[0] if columns else None
    others = sum(1 for c in columns[1:] if c.kind == NUMBER)
    if first and has_header and 0 in unnamed and first.kind == NUMBER and others >= 2 and _is_index(values[first.name]):
        columns[0] = Column(name=first.name, letter=first.letter, kind=INDEX)
        del values[first.name]
    return tuple(columns), values


def _column_kind(series: pd.Series, decimal: str) -> tuple[str, np.ndarray | None]:
    if pd.api.types.is_bool_dtype(series):
        return BOOLEAN, None
    if pd.api.types.is_numeric_dtype(series):
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return (EMPTY, None) if np.isnan(numbers).all() else (NUMBER, numbers)
    # Cells of mixed content go through Arrow's string kernels: on a million rows they are
    # several times faster than pandas' per-cell conversion.
    strings = pc.utf8_trim_whitespace(pa.array(series.astype("string"), type=pa.large_string()))
    blank = pc.fill_null(pc.equal(strings, ""), True).to_numpy(zero_copy_only=False)
    filled = int((~blank).sum())
    if filled == 0:
        return EMPTY, None
    numbers = _parse_numbers(strings, decimal)
    finite = int(np.isfinite(numbers).sum())
    # A column of numbers with a few typos is still offered, and its bad cells are reported
    # when it is used. A column mostly of words is text, or true/false.
    if finite > 0 and 2 * finite >= filled:
        return NUMBER, numbers
    words = pc.utf8_lower(pc.filter(strings, pa.array(~blank)))
    if pc.all(pc.is_in(words, value_set=pa.array(sorted(_BOOLEAN_WORDS), pa.large_string()))).as_py():
        return BOOLEAN, None
    return TEXT, None


def _parse_numbers(strings: pa.Array, decimal: str) -> np.ndarray:
    """Convert trimmed strings to float64, with NaN for every cell that is not a number."""
    has_point = None
    if decimal == ",":
        has_point = pc.fill_null(pc.match_substring(strings, "."), False)
        strings = pc.replace_substring(strings, ",", ".")
    valid = pc.fill_null(pc.match_substring_regex(strings, _FLOAT_PATTERN), False)
    if has_point is not None:
        # A point in a decimal-comma file is ambiguous ("1.500" may mean 1500), so it is not read.
        valid = pc.and_(valid, pc.invert(has_point))
    kept = pc.if_else(valid, strings, pa.scalar(None, pa.large_string()))
    return pc.cast(kept, pa.float64()).to_numpy(zero_copy_only=False)


def _is_index(values: np.ndarray) -> bool:
    if len(values) < 2 or not np.isfinite(values).all():
        return False
    return bool((values == np.round(values)).all() and (np.diff(values) == 1).all())


# --- Excel ---------------------------------------------------------------------------------


def _read_xlsx(content: bytes, name: str, limits: Limits) -> Table:
    import openpyxl  # imported here: only Excel uploads pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows, first_line = _sheet_rows(sheet, name, limits)
            sheet_name, sheet_count = sheet.title, len(workbook.worksheets)
        finally:
            workbook.close()
    # openpyxl raises many kinds of errors for a damaged workbook, XML parse errors among them
    # as SyntaxError. They all mean the same to a user.
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, OSError, SyntaxError) as exc:
        raise DataError("unreadable_xlsx", file=name) from exc
    titles, skipped = _title_rows(rows)
    rows = rows[skipped:]
    first_line += skipped
    if not rows:
        raise DataError("empty_file", file=name)
    has_header = not all(_is_number_cell(v) for v in rows[0] if not _is_blank(v))
    header: tuple[str, ...] = ()
    if has_header:
        header = tuple("" if _is_blank(v) else str(v).strip() for v in rows[0])
    data = rows[1:] if has_header else rows
    if not data:
        raise DataError("no_rows", file=name)
    if len(data) > limits.max_rows:
        raise DataError("too_many_rows", file=name, limit=limits.max_rows, variable=MAX_ROWS_ENV)
    names, unnamed = _column_names(header, len(rows[0]))
    frame = pd.DataFrame(data, columns=names, dtype=object).infer_objects()
    columns, values = _classify(frame, unnamed, has_header, ".")
    return Table(
        name=name,
        format="xlsx",
        columns=columns,
        values=values,
        cells=frame[[c.name for c in columns]],
        first_row=first_line + (1 if has_header else 0),
        has_header=has_header,
        sheet=sheet_name,
        sheet_count=sheet_count,
        titles=titles,
    )


def _sheet_rows(sheet, name: str, limits: Limits) -> tuple[list[tuple], int]:
    """Return the sheet's rows from its first non-blank one to its last, and that first row's number.

    NOTE: a formula cell is read from the value Excel saved with it. A workbook written by a
    program that saves no values (not Excel) shows such cells as blank.
    """
    rows: list[tuple] = []
    first_line = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not rows and all(_is_blank(v) for v in row):
            continue
        if not rows:
            first_line = number
        rows.append(row)
        # +1: the first row may be the header.
        if len(rows) > limits.max_rows + 1:
            raise DataError("too_many_rows", file=name, limit=limits.max_rows, variable=MAX_ROWS_ENV)
    while rows and all(_is_blank(v) for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows], first_line


def _title_rows(rows: list[tuple]) -> tuple[tuple[str, ...], int]:
    """Find up to MAX_TITLE_ROWS rows at the top that hold one text cell and nothing else.

    Returns their texts and how many rows to skip, blank rows between them included.
    """
    titles: list[str] = []
    skipped = 0
    while len(titles) < sniff.MAX_TITLE_ROWS and skipped < len(rows):
        filled = [v for v in rows[skipped] if not _is_blank(v)]
        if len(filled) != 1 or not isinstance(filled[0], str) or _is_number_cell(filled[0]):
            break
        titles.append(filled[0].strip())
        skipped += 1
        while skipped < len(rows) and all(_is_blank(v) for v in rows[skipped]):
            skipped += 1
    if skipped == len(rows):
        return (), 0  # nothing but one-cell rows: not titles above a table
    return tuple(titles), skipped


def _is_number_cell(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and _is_float(value.strip())
