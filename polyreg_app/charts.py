"""Plotly figures for the pages. Pure functions of the data: no Streamlit calls."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from polyreg_core.data import Dataset
from polyreg_core.i18n import t
from polyreg_core.training import TrainResult

# Okabe–Ito, a palette that stays distinct under the common colour-vision deficiencies.
# Each role keeps its colour on every chart.
COLORS = {"data": "#0072B2", "true": "#009E73", "optimum": "#E69F00", "learned": "#D55E00"}
CURVE_POINTS = 400


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )
    return fig


def data_scatter(dataset: Dataset, lang: str) -> go.Figure:
    fig = go.Figure(_data_trace(dataset, lang))
    return _layout(fig, t("data.scatter_title", lang), dataset.x_column, dataset.y_column)


def _data_trace(dataset: Dataset, lang: str) -> go.Scattergl:
    return go.Scattergl(
        x=dataset.x,
        y=dataset.y,
        mode="markers",
        name=t("train.legend_data", lang),
        marker=dict(color=COLORS["data"], size=5, opacity=0.7),
    )


def curve_grid(dataset: Dataset) -> np.ndarray:
    return np.linspace(dataset.x.min(), dataset.x.max(), CURVE_POINTS)


def fit_chart(dataset: Dataset, result: TrainResult, lang: str) -> go.Figure:
    grid = curve_grid(dataset)
    fig = go.Figure(_data_trace(dataset, lang))
    if dataset.reference is not None:
        fig.add_scatter(
            x=grid,
            y=dataset.reference.curve(grid),
            mode="lines",
            name=t("train.legend_true", lang),
            line=dict(color=COLORS["true"], dash="dash", width=2),
        )
    fig.add_scatter(
        x=grid,
        y=result.predict(grid),
        mode="lines",
        name=t("train.legend_learned", lang),
        line=dict(color=COLORS["learned"], width=3),
    )
    return _layout(fig, t("train.fit_title", lang), dataset.x_column, dataset.y_column)


def loss_chart(epochs, costs, lang: str) -> go.Figure:
    fig = go.Figure(
        go.Scattergl(x=epochs, y=costs, mode="lines", name=t("train.cost_axis", lang), line=dict(color=COLORS["learned"]))
    )
    fig.update_yaxes(type="log")
    return _layout(fig, t("train.loss_title", lang), t("train.epoch_axis", lang), t("train.cost_axis", lang))
