"""Plotly figures of the Learn page: distances, the loss landscape, the replay and residuals.

Pure functions of their inputs, with no Streamlit calls. Colours follow ``charts.COLORS``:
data, true, optimum and learned keep one colour each on every chart.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from polyreg_app.charts import COLORS, curve_grid
from polyreg_core.data import Dataset
from polyreg_core.i18n import t
from polyreg_core.insight import Distances, predict_with
from polyreg_core.landscape import Landscape

# Cividis stays ordered in lightness under every common colour-vision deficiency. Low cost
# is dark, so the orange optimum and the vermilion path stand out where they end.
LANDSCAPE_SCALE = "Cividis"
CONTOUR_LEVELS = 16  # each line carries its log₁₀ cost as a label; more would crowd them
OUTLINE = dict(color="white", width=1.5)


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        margin=dict(l=10, r=10, t=60, b=10),
    )
    return fig


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros (an exact hit) become gaps instead of −inf."""
    return np.where(values > 0, values, np.nan)


def distance_chart(distances: Distances, lang: str) -> go.Figure:
    series = [
        (distances.weights, "learn.distance_weights", "solid"),
        (distances.bias, "learn.distance_bias", "dash"),
        (distances.cost_gap, "learn.distance_cost", "dot"),
    ]
    fig = go.Figure()
    for values, key, dash in series:
        name = t(key, lang)
        fig.add_scatter(
            x=distances.epoch,
            y=_positive(values),
            mode="lines",
            name=name,
            line=dict(color=COLORS["learned"], dash=dash, width=2.5),
            hovertemplate=f"{t('train.epoch_axis', lang)} %{{x:,}}<br>{name} = %{{y:.4g}}<extra></extra>",
        )
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    return _layout(fig, t("learn.distance_title", lang), t("train.epoch_axis", lang), t("learn.distance_axis", lang))


def landscape_chart(
    land: Landscape,
    names: tuple[str, str],
    path: np.ndarray,
    optimum: np.ndarray,
    true_point: np.ndarray | None,
    marker: tuple[int, np.ndarray] | None,
    lang: str,
) -> go.Figure:
    """Draw the cost contour with the run's ``path`` (k, 2), the exact ``optimum`` θ* (all its
    coefficients), the true point and the replay's ``marker`` (epoch, point)."""
    u_name, v_name = names
    log_cost = t("learn.log_cost", lang)
    point_hover = f"{u_name} = %{{x:.4f}}<br>{v_name} = %{{y:.4f}}"

    fig = go.Figure(
        go.Contour(
            x=land.u,
            y=land.v,
            # float32 halves what the browser receives at every replay tick, and a colour
            # needs nowhere near float64's 16 digits.
            z=np.log10(np.maximum(land.cost, np.finfo(float).tiny)).astype(np.float32),
            colorscale=LANDSCAPE_SCALE,
            ncontours=CONTOUR_LEVELS,
            # Labels on the lines instead of a colour bar, which would share the right margin
            # with the legend.
            showscale=False,
            contours=dict(showlabels=True, labelfont=dict(color="white")),
            name=log_cost,
            hovertemplate=f"{point_hover}<br>{log_cost} = %{{z:.3f}}<extra></extra>",
        )
    )

    path_name = t("learn.legend_path", lang)
    fig.add_scatter(
        x=path[:, 0],
        y=path[:, 1],
        mode="lines",
        name=path_name,
        line=dict(color=COLORS["learned"], width=3),
        hovertemplate=f"{path_name}<br>{point_hover}<extra></extra>",
    )

    _point(fig, path[0], t("learn.legend_start", lang), COLORS["learned"], "circle-open", point_hover)
    if true_point is not None:
        _point(fig, true_point, t("learn.legend_true", lang), COLORS["true"], "diamond", point_hover)
    _point(fig, optimum[:2], t("learn.legend_optimum", lang), COLORS["optimum"], "star", point_hover)
    # Every coefficient of θ* rides along, so the hover (and a test) can read the bias too.
    fig.data[-1].customdata = [optimum]
    fig.data[-1].hovertemplate = f"{t('learn.legend_optimum', lang)}<br>{_theta_hover(len(optimum))}<extra></extra>"
    if marker is not None:
        epoch, point = marker
        _point(fig, point, t("learn.legend_epoch", lang, epoch=epoch), COLORS["learned"], "circle", point_hover)

    fig.update_xaxes(range=[land.u[0], land.u[-1]])
    fig.update_yaxes(range=[land.v[0], land.v[-1]])
    return _layout(fig, t("learn.landscape_title", lang, u=u_name, v=v_name), u_name, v_name)


def _theta_hover(n_parameters: int) -> str:
    names = [f"w{i + 1}" for i in range(n_parameters - 1)] + ["b"]
    return "<br>".join(f"{name} = %{{customdata[{i}]:.4f}}" for i, name in enumerate(names))


def _point(fig: go.Figure, point: np.ndarray, name: str, color: str, symbol: str, hover: str) -> None:
    fig.add_scatter(
        x=[point[0]],
        y=[point[1]],
        mode="markers",
        name=name,
        marker=dict(color=color, symbol=symbol, size=16, line=OUTLINE),
        hovertemplate=f"{name}<br>{hover}<extra></extra>",
    )


def _data_trace(dataset: Dataset, lang: str) -> go.Scattergl:
    return go.Scattergl(
        x=dataset.x,
        y=dataset.y,
        mode="markers",
        name=t("train.legend_data", lang),
        marker=dict(color=COLORS["data"], size=5, opacity=0.6),
    )


def replay_fit_chart(dataset: Dataset, epoch: int, theta: np.ndarray, optimum: np.ndarray, lang: str) -> go.Figure:
    """Draw the data, the true curve, the exact optimum's curve and the curve of ``epoch``."""
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
        y=predict_with(optimum, grid),
        mode="lines",
        name=t("learn.legend_optimum", lang),
        line=dict(color=COLORS["optimum"], dash="dot", width=3),
    )
    fig.add_scatter(
        x=grid,
        y=predict_with(theta, grid),
        mode="lines",
        name=t("learn.legend_learned_at", lang, epoch=epoch),
        line=dict(color=COLORS["learned"], width=3),
    )
    return _layout(fig, t("learn.fit_at_epoch_title", lang, epoch=epoch), dataset.x_column, dataset.y_column)


def replay_cost_chart(
    epochs: np.ndarray, batch_cost: np.ndarray, full_cost: np.ndarray, optimum_cost: float, epoch: int, lang: str
) -> go.Figure:
    """Draw the recorded mean batch loss and the cost on all rows per epoch, marked at ``epoch``."""
    epoch_axis = t("train.epoch_axis", lang)
    fig = go.Figure()
    for values, key, dash in [(batch_cost, "learn.legend_batch_cost", "solid"), (full_cost, "learn.legend_full_cost", "dash")]:
        name = t(key, lang)
        fig.add_scatter(
            x=epochs,
            y=_positive(values),
            mode="lines",
            name=name,
            line=dict(color=COLORS["learned"], dash=dash, width=2),
            hovertemplate=f"{epoch_axis} %{{x:,}}<br>{name} = %{{y:.4f}}<extra></extra>",
        )
    fig.add_scatter(
        x=[epochs[0], epochs[-1]],
        y=[optimum_cost, optimum_cost],
        mode="lines",
        name=t("learn.legend_optimum_cost", lang),
        line=dict(color=COLORS["optimum"], dash="dot", width=2),
        hovertemplate=f"{t('learn.legend_optimum_cost', lang)} = %{{y:.4f}}<extra></extra>",
    )
    fig.add_vline(x=epoch, line=dict(color=COLORS["learned"], width=1.5))
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    return _layout(fig, t("train.loss_title", lang), epoch_axis, t("train.cost_axis", lang))


def residual_chart(
    dataset: Dataset, learned: np.ndarray, optimum: np.ndarray, learned_r2: float, optimum_r2: float, lang: str
) -> go.Figure:
    """Residuals y − ŷ against x for the learned model and the exact optimum, R² in the legend."""
    fig = go.Figure()
    for values, r2, key, color, symbol in [
        (optimum, optimum_r2, "learn.legend_optimum_r2", COLORS["optimum"], "circle-open"),
        (learned, learned_r2, "learn.legend_learned_r2", COLORS["learned"], "circle"),
    ]:
        name = t(key, lang, r2=r2)
        fig.add_scatter(
            x=dataset.x,
            y=values,
            mode="markers",
            name=name,
            marker=dict(color=color, symbol=symbol, size=6),
            hovertemplate=f"{name}<br>{dataset.x_column} = %{{x:.4g}}<br>y − ŷ = %{{y:.4f}}<extra></extra>",
        )
    fig.add_hline(y=0, line=dict(color="black", width=1))
    return _layout(fig, t("learn.residual_title", lang), dataset.x_column, t("learn.residual_axis", lang))
