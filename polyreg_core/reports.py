"""Translated reports on how a table was read and which rows were left out.

The Data page and the CLI show the same sentences, so they are built here from a ``Table``
and a ``Dataset`` instead of in either front end. Text taken from the file (titles, column
names, cell values) passes through ``quote``: the page renders Markdown and escapes it there,
the CLI prints it as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from polyreg_core.data import BadCell, Dataset
from polyreg_core.i18n import t
from polyreg_core.tables import INDEX, Table, format_rows

_SEPARATOR_KEYS = {",": "tables.separator_comma", ";": "tables.separator_semicolon", "\t": "tables.separator_tab"}
Quote = Callable[[str], str]


def _as_is(text: str) -> str:
    return text


def table_notes(table: Table, lang: str) -> list[str]:
    """Describe how the file was read: format, header row, index column and columns not offered."""
    notes = [format_note(table, lang), *header_notes(table, lang)]
    others = not_offered_note(table, lang)
    return notes + [others] if others else notes


def header_notes(table: Table, lang: str, quote: Quote = _as_is) -> list[str]:
    """Notes a user should not miss: skipped title rows, no header row, a column taken for a row index."""
    notes = []
    if table.titles:
        titles = ", ".join(f"\"{quote(title)}\"" for title in table.titles)
        notes.append(t("tables.titles_skipped", lang, count=len(table.titles), titles=titles))
    if not table.has_header:
        notes.append(t("tables.no_header", lang))
    notes += [t("tables.index_column", lang, letter=c.letter) for c in table.columns if c.kind == INDEX]
    return notes


def not_offered_note(table: Table, lang: str, quote: Quote = _as_is) -> str | None:
    others = [c for c in table.other_columns if c.kind != INDEX]
    if not others:
        return None
    listed = ", ".join(f"{quote(c.name)} ({t(f'tables.kind_{c.kind}', lang)})" for c in others)
    return t("tables.not_offered", lang, columns=listed)


def format_note(table: Table, lang: str, quote: Quote = _as_is) -> str:
    if table.format == "xlsx" and table.sheet_count == 1:
        return t("tables.read_xlsx_single", lang, sheet=quote(table.sheet))
    if table.format == "xlsx":
        return t("tables.read_xlsx", lang, sheet=quote(table.sheet), count=table.sheet_count)
    return t(
        "tables.read_text",
        lang,
        encoding=table.encoding,
        separator=t(_SEPARATOR_KEYS[table.separator], lang),
        decimal=t("tables.decimal_comma" if table.decimal == "," else "tables.decimal_point", lang),
    )


def dropped_report(dataset: Dataset, lang: str) -> str | None:
    """Return one sentence on the rows left out of ``dataset``, or None when every row was used."""
    dropped = len(dataset.dropped_rows)
    if not dropped:
        return None
    total = len(dataset) + dropped
    return t("tables.dropped", lang, dropped=dropped, total=total, rows=format_rows(dataset.dropped_rows))


def bad_cell_lines(dataset: Dataset, lang: str, quote: Quote = _as_is) -> list[str]:
    """Return one line per example bad cell: where it is, what it contains and why it was not used."""
    return [bad_cell_line(cell, lang, quote) for cell in dataset.bad_cells]


def bad_cell_line(cell: BadCell, lang: str, quote: Quote = _as_is) -> str:
    return t(f"tables.reason_{cell.reason}", lang, row=cell.row, column=quote(str(cell.column)), value=quote(str(cell.value)))
