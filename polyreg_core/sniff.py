"""Guessing how an uploaded file is laid out: its format, text encoding, separator and header.

Everything here looks at the bytes or at the first lines of text only, so that a large file
costs no more to sniff than a small one. ``tables.py`` then reads the whole file with what
these functions found.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass

from polyreg_core.errors import DataError

# Lines of text looked at to choose the separator, the decimal mark and the header.
SAMPLE_CHARS = 64 * 1024
SAMPLE_LINES = 200
# Tab and semicolon come first: a comma inside a semicolon file is a decimal comma, while a
# comma-separated file rarely contains semicolons.
SEPARATORS = ("\t", ";", ",")
# The share of sample rows that must have the most common number of fields for a separator
# to count as consistent. Rows with a missing last cell or a stray note stay under 10 %.
CONSISTENT_SHARE = 0.8
# One-cell rows above the column names that are skipped as a title or a note. More than this
# are more likely a column of data with the other cells blank, so they are kept.
MAX_TITLE_ROWS = 3

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# File signatures of formats that people rename to .csv by mistake, with the format's name.
_SIGNATURES = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"\xd0\xcf\x11\xe0", "OLE"),  # old .xls, .doc and .ppt
    (b"\x1f\x8b", "gzip"),
)
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+(?:[eE][-+]?\d+)?")
_DECIMAL_POINT = re.compile(r"[-+]?\d*\.\d+(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Layout:
    """The layout of a text table, as found in its first lines."""

    separator: str
    decimal: str  # "." or ","
    has_header: bool
    header: tuple[str, ...]  # the first row's cells, padded to n_columns; empty without a header
    n_columns: int  # the maximum number of fields in a sample row
    skip_lines: int  # lines before the header (or the first data row): blank lines and title rows
    titles: tuple[str, ...] = ()  # the one-cell title or note rows that were skipped


def detect_format(content: bytes, name: str) -> str:
    """Return "xlsx" or "text" from the content itself, whatever the file name's suffix is.

    Raises DataError("not_a_table") for images, PDFs and archives, DataError("binary_file")
    for other binary content, and DataError("xls_not_supported") for the old Excel format.
    """
    for signature, kind in _SIGNATURES:
        if content.startswith(signature):
            code = "xls_not_supported" if kind == "OLE" else "not_a_table"
            raise DataError(code, file=name, kind=kind)
    if content.startswith(b"PK\x03\x04"):
        return _zip_format(content, name)
    if b"\x00" in content[:4096] and not _starts_with_bom(content) and _utf16_without_bom(content) is None:
        raise DataError("binary_file", file=name)
    return "text"


def _zip_format(content: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        # A damaged .xlsx is still meant as a table, but any other broken archive is not.
        if name.lower().endswith(".xlsx"):
            raise DataError("unreadable_xlsx", file=name) from exc
        raise DataError("not_a_table", file=name, kind="ZIP") from exc
    if "xl/workbook.xml" in members:
        return "xlsx"
    kind = "Word (.docx)" if "word/document.xml" in members else "ZIP"
    raise DataError("not_a_table", file=name, kind=kind)


def _starts_with_bom(content: bytes) -> bool:
    return any(content.startswith(bom) for bom, _, _ in _BOMS)


def _utf16_without_bom(content: bytes) -> str | None:
    """Return "utf-16-le" or "utf-16-be" when every other byte of the start is NUL.

    Mostly-ASCII text (digits, separators, Latin headers) saved as UTF-16 without a
    byte-order mark looks like this; binary files do not.
    """
    head = content[:4096]
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return None
    if head[1::2].count(0) == len(head) // 2 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if head[0::2].count(0) == len(head) // 2 and head[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def decode(content: bytes, name: str) -> tuple[str, str]:
    """Decode text without asking the user and return (text, encoding name to show).

    Tried in order: a byte-order mark, UTF-16 without one, strict UTF-8, CP949 (a superset
    of EUC-KR, what Korean Excel writes) when the result reads as Korean, then Windows-1252
    (what Western European Excel writes). Raises DataError("unknown_encoding") otherwise.
    """
    for bom, codec, label in _BOMS:
        if content.startswith(bom):
            return _decode_strict(content, codec, label, name)
    utf16 = _utf16_without_bom(content)
    if utf16 is not None:
        return _decode_strict(content, utf16, "UTF-16", name)
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp949")
        if _reads_as_korean(text):
            return text, "CP949"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise DataError("unknown_encoding", file=name, offset=exc.start) from exc


def _decode_strict(content: bytes, codec: str, label: str, name: str) -> tuple[str, str]:
    try:
        return content.decode(codec), label
    except UnicodeDecodeError as exc:
        raise DataError("bad_encoding", file=name, encoding=label, offset=exc.start) from exc


def _reads_as_korean(text: str) -> bool:
    """Return whether most non-ASCII characters are common Hangul syllables, as in a real CP949 file.

    Windows-1252 bytes often decode as CP949 too, but into Hanja or rare syllables. The
    common syllables are the 2,350 of KS X 1001, whose CP949 bytes are both 0xA1 or above.
    """
    sample = text[:SAMPLE_CHARS]
    non_ascii = [c for c in sample if ord(c) > 127]
    if not non_ascii:
        return True
    common = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7a3" and c.encode("cp949")[1] >= 0xA1)
    return common >= 0.8 * len(non_ascii)


def sniff_layout(text: str, name: str) -> Layout:
    """Find the separator, decimal mark and header row from the first lines of ``text``.

    Rows above the table that fill only their first cell are taken for a title or a note
    and skipped. Raises DataError("one_column") when no separator splits the rows into two or
    more fields.
    """
    sample = "\n".join(_sample_lines(text))
    separator, records = _choose_separator(sample, name)
    start = _first_table_row(records)
    titles = tuple(cell.strip() for _, row in records[:start] for cell in row if cell.strip())
    skip_lines, first = records[start]
    rows = [row for _, row in records[start:]]
    decimal = _choose_decimal(rows) if separator != "," else "."
    n_columns = max(len(r) for r in rows)
    first = [cell.strip() for cell in first]
    has_header = not all(_is_number(cell, decimal) for cell in first if cell)
    header = tuple(first + [""] * (n_columns - len(first))) if has_header else ()
    return Layout(separator, decimal, has_header, header, n_columns, skip_lines, titles)


def _first_table_row(records: list[tuple[int, list[str]]]) -> int:
    """Index of the first record after at most MAX_TITLE_ROWS title rows, which fill only their first cell.

    Excel writes a title in A1 as "Title,,", so trailing empty cells do not stop a row from
    being a title. A header with an empty first cell (",y") or a row starting with a number
    is not one.
    """
    for i, (_, row) in enumerate(records[: MAX_TITLE_ROWS + 1]):
        first = row[0].strip()
        if not first or _is_number(first, ",") or any(cell.strip() for cell in row[1:]):
            return i
    return 0


def _sample_lines(text: str) -> list[str]:
    head = text[:SAMPLE_CHARS]
    lines = head.splitlines()
    if len(text) > SAMPLE_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut in the middle
    return lines[:SAMPLE_LINES]


def _choose_separator(sample: str, name: str) -> tuple[str, list[tuple[int, list[str]]]]:
    best: tuple[float, int, str, list[tuple[int, list[str]]]] | None = None
    for separator in SEPARATORS:
        records = _records(sample, separator)
        if not records:
            continue
        counts = [len(row) for _, row in records]
        mode = max(set(counts), key=counts.count)
        share = counts.count(mode) / len(counts)
        if mode < 2:
            continue
        if share >= CONSISTENT_SHARE:
            return separator, records
        if best is None or (share, mode) > best[:2]:
            best = (share, mode, separator, records)
    if best is not None:
        return best[2], best[3]
    first_line = sample.strip().splitlines()[0].strip() if sample.strip() else ""
    raise DataError("one_column", file=name, found=first_line[:60])


def _records(sample: str, separator: str) -> list[tuple[int, list[str]]]:
    """Split the sample's non-blank rows by ``separator``, honouring quotes.

    Each row comes with the number of lines before it, which ``skip_lines`` needs.
    """
    reader = csv.reader(io.StringIO(sample), delimiter=separator, skipinitialspace=True)
    records = []
    start = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                records.append((start, row))
            start = reader.line_num
    except csv.Error:
        return []
    return records


def _choose_decimal(records: list[list[str]]) -> str:
    cells = [cell.strip() for row in records for cell in row]
    commas = sum(1 for cell in cells if _DECIMAL_COMMA.fullmatch(cell))
    points = sum(1 for cell in cells if _DECIMAL_POINT.fullmatch(cell))
    return "," if commas > points else "."


def _is_number(cell: str, decimal: str) -> bool:
    if decimal == ",":
        cell = cell.replace(",", ".")
    try:
        float(cell)
    except ValueError:
        return False
    return True
