"""Predict page: the trained model's answer for one x, beside the true curve's value."""

import numpy as np
import streamlit as st

from polyreg_app import state
from polyreg_core.i18n import t

LESSON_INPUTS = (1, 5, 11)

lang = state.lang()
st.title(t("predict.title", lang))

result = st.session_state.get("result")
if result is None:
    st.info(t("predict.no_model", lang))
    st.page_link("app_pages/train.py", label=t("common.go_train", lang), icon=":material/model_training:")
    st.stop()
dataset = st.session_state.result_dataset


def formula(weights, bias) -> str:
    degree = len(weights)
    terms = [f"{w:+.4f}·x{_power(degree - i)}" for i, w in enumerate(weights)]
    return " ".join(terms) + f" {bias:+.4f}"


def _power(k: int) -> str:
    return "" if k == 1 else "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(k))


def ask(x: float) -> None:
    """Quick-input buttons: fill in the form's x and answer it at once."""
    st.session_state.predict_x = float(x)
    st.session_state.predict_value = float(x)


weights, bias = result.coefficients()
st.caption(t("predict.model_line", lang, epochs=result.epochs_done, name=dataset.name, formula=formula(weights, bias)))

with st.form("predict_form"):
    st.subheader(t("predict.form_title", lang))
    x = st.number_input(t("predict.x_label", lang), step=1.0, format="%.4f", key="predict_x")
    if st.form_submit_button(t("predict.submit", lang), type="primary"):
        st.session_state.predict_value = float(x)

st.write(t("predict.quick", lang))
for column, value in zip(st.columns(len(LESSON_INPUTS)), LESSON_INPUTS):
    column.button(t("predict.quick_button", lang, x=value), key=f"predict_quick_{value}", on_click=ask, args=(value,))

value = st.session_state.get("predict_value")
if value is not None:
    prediction = float(result.predict(np.array([value]))[0])
    st.subheader(f"x = {value:g}")
    c1, c2, c3 = st.columns(3)
    c1.metric(t("predict.prediction", lang), f"{prediction:.4f}")
    if dataset.reference is not None:
        true_value = float(dataset.reference.curve(np.array([value]))[0])
        c2.metric(t("predict.true_value", lang), f"{true_value:.4f}")
        c3.metric(t("predict.difference", lang), f"{prediction - true_value:+.4f}")
    else:
        c2.caption(t("data.no_reference", lang))
