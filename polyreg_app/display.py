"""The large-text mode for projectors: page text and chart text, per session."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# Streamlit sizes its text in rem, so scaling the root font scales the whole page. The
# theme's baseFontSize would do the same, but it is one setting for every session of a server.
LARGE_TEXT_CSS = "<style>html { font-size: 137.5%; }</style>"
CHART_FONT = {False: 14, True: 22}  # px; plotly's own default is 12
CHART_TITLE_FONT = {False: 17, True: 28}
LARGE_CHART_HEIGHT = 560  # px; Streamlit's default is 450, too short once the text is larger
# A legend above the plot wraps into the title, so normally it is a column right of the plot,
# where plotly widens the margin to fit it. With large text that column left the plot a sliver
# on a 1024-px projector, so there the legend goes under the plot, at the figure's bottom edge.
LEGEND_RIGHT = dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.02)
LEGEND_BELOW = dict(orientation="h", yref="container", yanchor="bottom", y=0, xanchor="left", x=0)


def large_text() -> bool:
    return bool(st.session_state.get("large_text", False))


def apply_page_text() -> None:
    """Scale the page's text when the session's large-text switch is on."""
    if large_text():
        st.html(LARGE_TEXT_CSS)


def sized(fig: go.Figure, large: bool) -> go.Figure:
    """Set every text of ``fig`` (title, axes, legend, hover, colour bar) to the mode's size.

    Each part gets its size explicitly, because Streamlit's plotly theme sets the axes' and
    the legend's own sizes, which win over the figure-wide ``layout.font``.
    """
    size = CHART_FONT[large]
    fig.update_layout(
        font=dict(size=size),
        title=dict(font=dict(size=CHART_TITLE_FONT[large])),
        legend=dict(font=dict(size=size), **(LEGEND_BELOW if large else LEGEND_RIGHT)),
        margin=dict(t=CHART_TITLE_FONT[large] * 3),
        hoverlabel=dict(font=dict(size=size)),
    )
    fig.update_xaxes(tickfont_size=size, title_font_size=size)
    fig.update_yaxes(tickfont_size=size, title_font_size=size)
    fig.update_traces(contours_labelfont_size=size, selector=dict(type="contour"))
    if large:
        # The bottom margin holds the axis title above the legend.
        fig.update_layout(height=LARGE_CHART_HEIGHT, margin=dict(b=size * 8))
    return fig


def columns(spec: list[int] | int) -> list:
    """``st.columns(spec)``, or the same number of full-width rows in large-text mode, where
    side-by-side charts would be too narrow to read."""
    count = spec if isinstance(spec, int) else len(spec)
    if large_text():
        return [st.container() for _ in range(count)]
    return st.columns(spec)


def table(frame: pd.DataFrame, key: str, number_format: str = "%.4f") -> None:
    """Show a numeric table: interactive normally, as plain HTML in large-text mode.

    ``st.dataframe`` draws on a canvas in fixed pixel sizes, so only ``st.table`` grows with
    the page's text.
    """
    frame = frame.apply(_numeric_if_possible)
    numeric = frame.select_dtypes("number").columns
    # A missing value (no true bias for uploaded data, say) shows as a dash, not "None".
    styled = frame.style.format(lambda v: number_format % v, subset=numeric, na_rep="—")
    if large_text():
        st.table(styled)
        return
    st.dataframe(styled, key=key)


def _numeric_if_possible(column: pd.Series) -> pd.Series:
    try:
        return pd.to_numeric(column)
    except (ValueError, TypeError):
        return column


def plotly_chart(fig: go.Figure, key: str) -> None:
    """Draw ``fig`` at the session's text size. Live and replayed charts need the explicit key."""
    st.plotly_chart(sized(fig, large_text()), key=key)
