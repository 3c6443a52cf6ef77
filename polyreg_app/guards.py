"""Checks that a page runs before it starts work, each with a way out for the user."""

from __future__ import annotations

import streamlit as st

from polyreg_core.data import Dataset
from polyreg_core.i18n import t


def batch_guard(dataset: Dataset, lang: str) -> None:
    """Warn before training when drop-last would leave no batch, and offer one batch of all rows.

    Reads the committed Train settings, so the warning shows before Train is pressed.
    """
    rows = len(dataset)
    batch_size = st.session_state.train_batch_size
    if not st.session_state.train_drop_last or rows >= batch_size:
        return
    st.warning(t("data.too_few_for_batch", lang, rows=rows, batch_size=batch_size))
    st.button(t("data.use_one_batch", lang, rows=rows), key="train_one_batch", on_click=_use_whole_table, args=(rows,))


def _use_whole_table(rows: int) -> None:
    # A callback runs before the settings form is drawn, so the form shows the new size.
    st.session_state.train_batch_size = rows
