"""Panels that the Train and Learn pages share: the coefficient table (true, exact optimum,
learned) and the learning-rate guidance with its presets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from polyreg_app import display
from polyreg_core.data import Dataset
from polyreg_core.guidance import LR_INPUT_RANGE, LrGuidance, lr_guidance
from polyreg_core.i18n import t
from polyreg_core.insight import cost_geometry, parameters, true_parameters
from polyreg_core.training import TrainConfig, TrainResult

PRESET_OUTCOMES = {0.5: "learn.preset_converges", 0.99: "learn.preset_oscillates", 1.1: "learn.preset_diverges"}
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def parameter_names(degree: int) -> list[str]:
    """Name each weight with the power of x it multiplies: ["w1 (x²)", "w2 (x)", "b"] for degree 2."""
    powers = [f"x{str(k).translate(SUPERSCRIPTS)}" if k > 1 else "x" for k in range(degree, 0, -1)]
    return [f"w{i + 1} ({power})" for i, power in enumerate(powers)] + ["b"]


def coefficient_table(dataset: Dataset, degree: int, weights, bias: float, lang: str) -> pd.DataFrame:
    """Build the table of the true (when known), exact optimum and learned coefficients and
    their differences, with a column per parameter and the cost on all rows."""
    geometry = cost_geometry(dataset, degree)
    learned = parameters(np.asarray(weights, dtype=np.float64), float(bias))[0]
    rows = {"learn.row_optimum": geometry.theta, "learn.row_learned": learned}
    true = true_parameters(dataset.reference, degree)
    if true is not None:
        rows = {"learn.row_true": true, **rows}
        rows["learn.row_learned_minus_true"] = learned - true
        rows["learn.row_optimum_minus_true"] = geometry.theta - true
    rows["learn.row_learned_minus_optimum"] = learned - geometry.theta

    costs = {key: _cost(geometry, theta) for key, theta in rows.items() if "minus" not in key}
    costs["learn.row_learned_minus_optimum"] = costs["learn.row_learned"] - costs["learn.row_optimum"]
    if true is not None:
        costs["learn.row_learned_minus_true"] = costs["learn.row_learned"] - costs["learn.row_true"]
        costs["learn.row_optimum_minus_true"] = costs["learn.row_optimum"] - costs["learn.row_true"]

    table = pd.DataFrame([theta for theta in rows.values()], columns=parameter_names(degree))
    table[t("learn.col_cost", lang)] = [costs[key] for key in rows]
    table.index = [t(key, lang) for key in rows]
    return table


def _cost(geometry, theta: np.ndarray) -> float:
    # The true bias is unknown for an uploaded file, and so is the true curve's cost.
    return float(geometry.cost(theta)[0]) if np.isfinite(theta).all() else float("nan")


def show_coefficient_table(dataset: Dataset, degree: int, weights, bias: float, lang: str, key: str) -> None:
    display.table(coefficient_table(dataset, degree, weights, bias, lang), key=key)
    st.caption(t("learn.table_caption", lang))


def settings_from_session(defaults: TrainConfig = TrainConfig()) -> TrainConfig:
    """Build a config from the Train page's widget values in the session."""
    state = st.session_state
    return TrainConfig(
        lr=float(state.get("train_lr", defaults.lr)),
        batch_size=int(state.get("train_batch_size", defaults.batch_size)),
        degree=int(state.get("train_degree", defaults.degree)),
        standardize=bool(state.get("train_standardize", defaults.standardize)),
        optimizer=str(state.get("train_optimizer", defaults.optimizer)),
        momentum=float(state.get("train_momentum", defaults.momentum)),
    )


def _set_lr(lr: float) -> None:
    st.session_state.train_lr = lr


def lr_guidance_panel(dataset: Dataset, lang: str, disabled: bool) -> None:
    """Show the bound and condition numbers for the current settings, with the three presets."""
    settings = settings_from_session()
    guidance = lr_guidance(dataset, settings)
    st.markdown(f"**{t('learn.guidance_title', lang)}**")
    if guidance.max_stable_lr is None:
        st.caption(t("learn.guidance_adam", lang))
    else:
        bound_key = "learn.guidance_bound_momentum" if settings.momentum else "learn.guidance_bound"
        st.caption(t(bound_key, lang, max_lr=guidance.max_stable_lr, lambda_max=guidance.lambda_max))
        ratio = settings.lr / guidance.max_stable_lr
        st.caption(t("learn.guidance_current", lang, lr=settings.lr, ratio=ratio))
    st.caption(t("learn.guidance_condition", lang, raw=guidance.condition_raw, standardized=guidance.condition_standardized))
    _preset_buttons(guidance, lang, disabled)
    result = st.session_state.get("result")
    if result is not None and result.diverged_at_epoch:
        divergence_explanation(st.session_state.result_dataset, result, lang)


def _preset_buttons(guidance: LrGuidance, lang: str, disabled: bool) -> None:
    for factor, lr in guidance.presets():
        if lr is None:
            low, high = LR_INPUT_RANGE
            st.caption(t("learn.preset_unavailable", lang, factor=factor, lr=factor * guidance.max_stable_lr, low=low, high=high))
            continue
        label = t(PRESET_OUTCOMES[factor], lang, factor=factor, lr=lr)
        st.button(label, key=f"train_lr_preset_{factor}", on_click=_set_lr, args=(lr,), disabled=disabled)


def divergence_explanation(dataset: Dataset, result: TrainResult, lang: str) -> None:
    """Say why ``result`` diverged in terms of its learning rate and the stability bound."""
    guidance = lr_guidance(dataset, result.config)
    if guidance.max_stable_lr is None:
        return
    lr = result.config.lr
    ratio = lr / guidance.max_stable_lr
    bound = guidance.max_stable_lr
    if ratio <= 1:
        batch_size = result.config.batch_size
        st.warning(t("learn.diverged_below_bound", lang, lr=lr, ratio=ratio, max_lr=bound, batch_size=batch_size))
    elif result.config.momentum:
        st.warning(t("learn.diverged_above_bound_momentum", lang, lr=lr, ratio=ratio, max_lr=bound))
    else:
        # The signed factor shows the overshoot: below −1 means each step lands further out.
        factor = 1.0 - lr * guidance.lambda_max
        st.warning(t("learn.diverged_above_bound", lang, lr=lr, ratio=ratio, max_lr=bound, factor=factor))
