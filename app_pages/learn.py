"""Learn page: where SGD is heading on the data. The exact optimum beside the learned weights,
the distance to it, the loss landscape with the optimizer's path, a replay of the run, the fit
quality and one SGD step written out."""

import numpy as np
import pandas as pd
import streamlit as st

from polyreg_app import display, state
from polyreg_app.messages import error_text, escape_markdown
from polyreg_app.insight import divergence_explanation, parameter_names, show_coefficient_table
from polyreg_app.insight_charts import distance_chart, landscape_chart, replay_cost_chart, replay_fit_chart, residual_chart
from polyreg_core.errors import PolyregError
from polyreg_core.i18n import t
from polyreg_core.insight import CostGeometry, cost_geometry, distances, fit_metrics, parameters, predict_with, sample_indices, true_parameters
from polyreg_core.landscape import ZOOM_LEVELS, landscape, view_box
from polyreg_core.step import StepExplanation, explain_step
from polyreg_core.training import TrainResult

# Points drawn per line: the history can hold 10⁶ epochs, and the replay resends its charts
# at every tick.
PATH_POINTS = 500
CURVE_POINTS = 1000
PLAY_FRAMES = 60  # a replay walks the run in about this many steps
PLAY_TICK_S = 0.4

lang = state.lang()
st.title(t("learn.title", lang))
st.caption(t("learn.intro", lang))

result: TrainResult | None = st.session_state.get("result")
if result is None:
    st.info(t("learn.no_model", lang))
    st.page_link("app_pages/train.py", label=t("common.go_train", lang), icon=":material/model_training:")
    st.stop()
dataset = st.session_state.result_dataset
config = result.config
history = result.history
if len(history) == 0:
    # A run that diverged in its first epoch recorded nothing to show.
    divergence_explanation(dataset, result, lang)
    st.info(t("learn.no_history", lang))
    st.stop()
geometry = cost_geometry(dataset, config.degree)
thetas = parameters(history.weights, history.bias)  # (epochs, degree + 1)

job = st.session_state.get("job")
if job is not None and job.running:
    st.info(t("learn.training_running", lang))
scaling = t("learn.scaling_on" if config.standardize else "learn.scaling_off", lang)
st.caption(
    t(
        "learn.run_line",
        lang,
        name=escape_markdown(dataset.name),
        epochs=result.epochs_done,
        lr=config.lr,
        batch_size=config.batch_size,
        degree=config.degree,
        optimizer=config.optimizer.upper(),
        scaling=scaling,
    )
)
if result.diverged_at_epoch:
    divergence_explanation(dataset, result, lang)


def heading_section() -> None:
    """Show the exact optimum beside the learned weights, and the distance between them per epoch."""
    st.subheader(t("learn.heading_title", lang))
    weights, bias = result.coefficients()
    show_coefficient_table(dataset, config.degree, weights, bias, lang, key="learn_table")
    display.plotly_chart(distance_chart(distances(geometry, history, CURVE_POINTS), lang), key="learn_distance")
    st.caption(t("learn.distance_caption", lang))


def sync_replay() -> None:
    """Start the replay at the last epoch whenever a new result arrives."""
    if st.session_state.get("learn_replay_of") is not result:
        st.session_state.learn_replay_of = result
        st.session_state.learn_epoch = int(history.epoch[-1])
        st.session_state.learn_playing = False
    first, last = int(history.epoch[0]), int(history.epoch[-1])
    epoch = st.session_state.get("learn_epoch")
    st.session_state.learn_epoch = last if epoch is None else min(max(int(epoch), first), last)


def advance_replay() -> None:
    """Move a playing replay one frame on; stop it, with a full rerun to end the timer, at the end."""
    if st.session_state.pop("learn_play_pressed", False):
        return  # the run of the Play click shows the starting frame
    first, last = int(history.epoch[0]), int(history.epoch[-1])
    epoch = st.session_state.learn_epoch
    if epoch >= last:
        st.session_state.learn_playing = False
        st.rerun()
    st.session_state.learn_epoch = min(epoch + max(1, (last - first) // PLAY_FRAMES), last)


def toggle_play() -> None:
    """Start or pause the replay; Play at the last epoch starts again from the first."""
    playing = st.session_state.learn_playing
    if not playing and st.session_state.learn_epoch >= int(history.epoch[-1]):
        st.session_state.learn_epoch = int(history.epoch[0])
    st.session_state.learn_playing = not playing
    st.session_state.learn_play_pressed = True


def play_button() -> None:
    # Outside the fragment, so that a click reruns the whole page and the fragment is drawn
    # again with or without its timer. The toggle is a callback because Streamlit runs it once
    # per click, while `if st.button()` in a run could see a click twice during a timer tick.
    playing = st.session_state.learn_playing
    label, icon = ("learn.pause", ":material/pause:") if playing else ("learn.play", ":material/play_arrow:")
    st.button(t(label, lang), icon=icon, key="learn_play", on_click=toggle_play)


def replay_view() -> None:
    """Draw the slider over the history and the three views of the chosen epoch."""
    # Before the slider, whose value can only change before it is drawn.
    if st.session_state.learn_playing:
        advance_replay()
    middle, right = st.columns([3, 1], vertical_alignment="bottom")
    epoch = middle.slider(
        t("learn.replay_epoch", lang),
        min_value=int(history.epoch[0]),
        max_value=max(int(history.epoch[-1]), int(history.epoch[0]) + 1),
        step=1,
        key="learn_epoch",
        disabled=len(history) < 2,
    )
    zoom = right.select_slider(
        t("learn.zoom", lang), ZOOM_LEVELS, key="learn_zoom", format_func=lambda z: t("learn.zoom_level", lang, zoom=z)
    )
    index = min(int(np.searchsorted(history.epoch, epoch)), len(history) - 1)
    shown_epoch, theta = int(history.epoch[index]), thetas[index]
    st.text(replay_line(index, theta))

    left, right = display.columns(2)
    with left:
        display.plotly_chart(landscape_figure(zoom, shown_epoch, theta), key="learn_landscape")
        st.caption(landscape_caption())
    with right:
        fit = replay_fit_chart(dataset, shown_epoch, theta, geometry.theta, lang)
        display.plotly_chart(fit, key="learn_replay_fit")
    rows = sample_indices(len(history), CURVE_POINTS)
    cost = replay_cost_chart(
        history.epoch[rows], history.cost[rows], geometry.cost(thetas[rows]), geometry.optimum.cost, shown_epoch, lang
    )
    display.plotly_chart(cost, key="learn_replay_cost")


def replay_line(index: int, theta: np.ndarray) -> str:
    weights = "[" + ", ".join(f"{w:.4f}" for w in theta[:-1]) + "]"
    return t(
        "learn.replay_line",
        lang,
        epoch=int(history.epoch[index]),
        cost=float(history.cost[index]),
        full_cost=float(geometry.cost(theta)[0]),
        weights=weights,
        bias=float(theta[-1]),
    )


def landscape_figure(zoom: int, epoch: int, theta: np.ndarray):
    path = thetas[sample_indices(len(thetas), PATH_POINTS), :2]  # (k, 2)
    optimum = geometry.theta[:2]
    true = true_parameters(dataset.reference, config.degree)
    true_point = true[:2] if true is not None else None
    anchors = [path, optimum[None, :]] + ([true_point[None, :]] if true_point is not None else [])
    u_range, v_range = view_box(np.concatenate(anchors), optimum, zoom)
    land = landscape(geometry, u_range, v_range)
    names = tuple(parameter_names(config.degree)[:2])
    return landscape_chart(land, names, path, geometry.theta, true_point, (epoch, theta[:2]), lang)


def landscape_caption() -> str:
    names = parameter_names(config.degree)
    if len(names) == 2:
        return t("learn.landscape_caption_all", lang, u=names[0], v=names[1])
    return t("learn.landscape_caption", lang, u=names[0], v=names[1], others=", ".join(names[2:]))


def replay_section() -> None:
    st.subheader(t("learn.replay_title", lang))
    st.caption(t("learn.replay_caption", lang))
    sync_replay()
    play_button()
    run_every = PLAY_TICK_S if st.session_state.learn_playing else None
    st.fragment(replay_view, run_every=run_every)()


def fit_section() -> None:
    """R², RMSE and MAE of the learned model and the exact optimum, and their residuals."""
    st.subheader(t("learn.fit_title", lang))
    learned = dataset.y - result.predict(dataset.x)
    optimum = dataset.y - predict_with(geometry.theta, dataset.x)
    metrics = {
        t("learn.row_learned", lang): fit_metrics(dataset.y, dataset.y - learned),
        t("learn.row_optimum", lang): fit_metrics(dataset.y, dataset.y - optimum),
    }
    table = pd.DataFrame(
        {
            t("learn.metric_r2", lang): [m.r2 for m in metrics.values()],
            t("learn.metric_rmse", lang): [m.rmse for m in metrics.values()],
            t("learn.metric_mae", lang): [m.mae for m in metrics.values()],
        },
        index=list(metrics),
    )
    left, right = display.columns([1, 2])
    with left:
        display.table(table, key="learn_metrics", number_format="%.6f")
        st.caption(t("learn.fit_caption", lang))
    with right:
        r2 = list(metrics.values())
        display.plotly_chart(residual_chart(dataset, learned, optimum, r2[0].r2, r2[1].r2, lang), key="learn_residuals")


def step_section() -> None:
    """On request, the next SGD step's batch, gradient and update with the numbers filled in."""
    st.subheader(t("learn.step_title", lang))
    if not st.toggle(t("learn.step_toggle", lang), key="learn_show_step"):
        return
    try:
        step = explain_step(dataset, config, result)
    except PolyregError as exc:
        st.error(error_text(exc, lang))
        return
    st.write(t("learn.step_intro", lang, epoch=step.epoch, rows=len(step.rows), loss=step.loss, lr=step.lr))
    st.latex(r"\frac{\partial L}{\partial w_j} = \frac{2}{B}\sum_i (\hat y_i - y_i)\, f_{ij}, \qquad \frac{\partial L}{\partial b} = \frac{2}{B}\sum_i (\hat y_i - y_i)")
    display.table(step_table(step), key="learn_step_table", number_format="%.6g")
    names = parameter_names(config.degree)
    lines = [
        t("learn.step_line", lang, name=name, value=value, lr=step.lr, gradient=gradient, new=new)
        for name, value, gradient, new in zip(names, step.params, step.gradient, step.updated)
    ]
    st.code("\n".join(lines), language=None)
    if step.standardized:
        st.caption(t("learn.step_standardized", lang))
    if config.optimizer == "adam":
        st.caption(t("learn.step_adam", lang))
    elif config.momentum:
        st.caption(t("learn.step_momentum", lang, momentum=config.momentum))
    with st.expander(t("learn.step_batch", lang)):
        display.table(batch_table(step), key="learn_step_batch", number_format="%.6g")


def step_table(step: StepExplanation) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("learn.col_value", lang): step.params,
            t("learn.col_gradient", lang): step.gradient,
            t("learn.col_formula", lang): step.formula_gradient,
            t("learn.col_update", lang): step.update,
            t("learn.col_new", lang): step.updated,
        },
        index=parameter_names(config.degree),
    )


def batch_table(step: StepExplanation) -> pd.DataFrame:
    # Indexed by the rows' positions in the data, so a student can find them there.
    table = pd.DataFrame({dataset.x_column: dataset.x[step.rows]}, index=step.rows)
    for name, column in zip(parameter_names(config.degree), step.features.T):
        table[t("learn.col_feature", lang, name=name)] = column
    table[dataset.y_column] = step.targets
    table["ŷ"] = step.outputs
    table["ŷ − y"] = step.outputs - step.targets
    return table


heading_section()
replay_section()
fit_section()
step_section()
