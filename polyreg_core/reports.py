"""Translated reports on how a table was read and which rows were left out.

The Data page and the CLI show the same sentences, so they are built here from a ``Table``
and a ``Dataset`` instead of in either front end.
"""

from __future__ import annotations

from polyreg_core.data import BadCell, Dataset
from polyreg_core.i18n import t
from polyreg_core.tables import INDEX, Table, format_rows

_SEPARATOR_KEYS = {",": "tables.separator_comma", ";": "tables.separator_semicolon", "\t": "tables.separator_tab"}


def table_notes(table: Table, lang: str) -> list[str]:
    """Describe how the file was read: format, header row, index column and columns not offered."""
    notes = [format_note(table, lang), *header_notes(table, lang)]
    others = not_offered_note(table, lang)
    return notes + [others] if others else notes


def header_notes(table: Table, lang: str) -> list[str]:
    """Notes a user should not miss: skipped title rows, no header row, a column taken for a row index."""
    notes = []
    if table.titles:
        titles = ", ".join(f"\"{title}\"" for title in table.titles)
        notes.append(t("tables.titles_skipped", lang, count=len(table.titles), titles=titles))
    if not table.has_header:
        notes.append(t("tables.no_header", lang))
    notes += [t("tables.index_column", lang, letter=c.letter) for c in table.columns if c.kind == INDEX]
    return notes


def not_offered_note(table: Table, lang: str) -> str | None:
    others = [c for c in table.other_columns if c.kind != INDEX]
    if not others:
        return None
    listed = ", ".join(f"{c.name} ({t(f'tables.kind_{c.kind}', lang)})" for c in others)
    return t("tables.not_offered", lang, columns=listed)


def format_note(table: Table, lang: str) -> str:
    if table.format == "xlsx" and table.sheet_count == 1:
        return t("tables.read_xlsx_single", lang, sheet=table.sheet)
    if table.format == "xlsx":
        return t("tables.read_xlsx", lang, sheet=table.sheet, count=table.sheet_count)
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


def bad_cell_lines(dataset: Dataset, lang: str) -> list[str]:
    """Return one line per example bad cell: where it is, what it contains and why it was not used."""
    return [bad_cell_line(cell, lang) for cell in dataset.bad_cells]


def bad_cell_line(cell: BadCell, lang: str) -> str:
    return t(f"tables.reason_{cell.reason}", lang, row=cell.row, column=cell.column, value=cell.value)
