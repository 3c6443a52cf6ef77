"""Predict page: one x or a file of x values, a share link, exports, and loading a saved model."""

from urllib.parse import urlencode

import numpy as np
import streamlit as st

from polyreg_app import display, models, state
from polyreg_app.messages import error_text, escape_markdown
from polyreg_core import batch, modelfile, share
from polyreg_core.downloads import history_frame, to_csv_bytes
from polyreg_core.errors import PolyregError
from polyreg_core.i18n import t
from polyreg_core.portable import PortableModel, check_x, optimum_predict
from polyreg_core.script import SCRIPT_NAME, render_script

LESSON_INPUTS = (1, 5, 11)
PAGE_PATH = "predict"
MODEL_UPLOAD_TYPES = ["safetensors", "pt", "pth", "pkl", "ckpt", "bin"]  # the others get an explanation

lang = state.lang()
st.title(t("predict.title", lang))


def formula(weights, bias) -> str:
    """Write the learned curve as a teacher would: 3.1069·x² − 1.7027·x + 0.0729."""
    degree = len(weights)
    terms = [(w, f"·x{_power(degree - i)}") for i, w in enumerate(weights)] + [(bias, "")]
    text = f"{terms[0][0]:.4f}{terms[0][1]}".replace("-", "−")
    for value, power in terms[1:]:
        text += f" {'−' if value < 0 else '+'} {abs(value):.4f}{power}"
    return text


def _power(k: int) -> str:
    return "" if k == 1 else "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(k))


def ask(x: float) -> None:
    """Fill in the form's x and predict it at once (the quick-input buttons)."""
    st.session_state.predict_x = float(x)
    st.session_state.predict_value = float(x)


def import_section() -> None:
    st.subheader(t("predict.import_title", lang))
    upload = st.file_uploader(
        t("predict.import_label", lang, degree=models.expected_degree()),
        type=MODEL_UPLOAD_TYPES,
        key="predict_model_upload",
        max_upload_size=1,
    )
    if models.import_upload(upload):
        st.rerun()  # the page above was drawn with the previous model
    error = st.session_state.get("predict_import_error")
    if error is not None:
        st.error(error_text(error, lang))


def model_caption(model: PortableModel) -> None:
    weights, bias = model.coefficients()
    line = formula(weights, bias)
    if model.origin == "trained":
        text = t("predict.model_line", lang, epochs=model.epochs_done, name=escape_markdown(model.data.name), formula=line)
    elif model.origin == "file":
        file = escape_markdown(st.session_state.get("predict_import_name", ""))
        text = t("predict.model_line_file", lang, file=file, epochs=model.epochs_done, formula=line)
    else:
        text = t("predict.model_line_link", lang, epochs=model.epochs_done, formula=line)
    st.caption(text)


def show_prediction(model: PortableModel, value: float) -> None:
    """Show the model, the exact optimum and the true curve side by side for one x."""
    st.subheader(f"x = {value:g}")
    x = np.array([value])
    prediction = float(model.predict(x)[0])
    data = models.training_data(model)
    # Two rows of two: in four columns the values ("357.4511") were cut off at 1024 px.
    columns = iter([*display.columns(2), *display.columns(2)])
    next(columns).metric(t("predict.prediction", lang), f"{prediction:.4f}")
    if data is not None:
        optimum = float(optimum_predict(models.optimum(model, data), x)[0])
        next(columns).metric(t("predict.optimum", lang), f"{optimum:.4f}")
        if data.reference is not None:
            true_value = float(data.reference.curve(x)[0])
            next(columns).metric(t("predict.true_value", lang), f"{true_value:.4f}")
            next(columns).metric(t("predict.difference", lang), f"{prediction - true_value:+.4f}")
        else:
            next(columns).caption(t("data.no_reference", lang))
    else:
        st.caption(t("predict.no_training_data", lang))
    if not np.isfinite(prediction):
        st.warning(t("predict.overflow", lang, x=value))
    if model.outside_range(x)[0]:
        st.warning(t("predict.outside_range", lang, x=value, low=model.data.x_min, high=model.data.x_max))


def batch_section(model: PortableModel) -> None:
    st.subheader(t("predict.batch_title", lang))
    upload = st.file_uploader(t("predict.batch_label", lang), type=batch.UPLOAD_TYPES, key="predict_batch_upload")
    _read_batch(upload)
    error = st.session_state.get("predict_batch_error")
    if error is not None:
        st.error(error_text(error, lang))
    table = st.session_state.get("predict_batch_table")
    if table is None:
        return

    columns = list(table.columns)
    if st.session_state.get("predict_batch_column") not in columns:
        st.session_state.predict_batch_column = batch.default_column(table, model)
    column = st.selectbox(t("predict.batch_column", lang), columns, key="predict_batch_column", disabled=len(columns) == 1)
    try:
        x = batch.x_values(table, column)
    except PolyregError as exc:
        st.error(error_text(exc, lang))
        return

    predictions = batch.prediction_table(model, x, models.training_data(model))
    outside = int(predictions["outside_range"].sum())
    if outside:
        st.warning(t("predict.batch_outside", lang, count=outside, rows=len(x), low=model.data.x_min, high=model.data.x_max))
    display_table = predictions.rename(columns={c: t(f"predict.col_{c}", lang) for c in predictions.columns})
    st.dataframe(display_table, hide_index=True)
    download = predictions.rename(columns={"x": column})
    st.download_button(
        t("predict.batch_download", lang),
        data=lambda: to_csv_bytes(download),
        file_name="predictions.csv",
        mime="text/csv",
        key="predict_batch_download",
    )


def _read_batch(upload) -> None:
    """Parse a new batch file once; an error keeps the table the user had."""
    if upload is None or upload.file_id == st.session_state.get("predict_batch_id"):
        return
    st.session_state.predict_batch_id = upload.file_id
    try:
        st.session_state.predict_batch_table = batch.read_table(upload.getvalue(), upload.name)
        st.session_state.predict_batch_error = None
    except PolyregError as exc:
        st.session_state.predict_batch_error = exc


def share_section(model: PortableModel) -> None:
    st.subheader(t("predict.share_title", lang))
    if st.button(t("predict.share_button", lang), key="predict_share"):
        st.session_state.predict_share_model = model
    if st.session_state.get("predict_share_model") is model:
        st.code(share_url(model), language=None, wrap_lines=True)
        st.caption(t("predict.share_caption", lang))


def share_url(model: PortableModel) -> str:
    # st.context.url is the page's URL in the browser without its query, or None in AppTest.
    base = (st.context.url or "").rstrip("/")
    if not base.endswith("/" + PAGE_PATH):
        base = f"{base}/{PAGE_PATH}"
    return f"{base}?{urlencode(share.to_query(model))}"


def export_section(model: PortableModel) -> None:
    st.subheader(t("predict.export_title", lang))
    left, middle, right = st.columns(3)
    # The model file and the script take a few KiB, so they are built on every run. The history
    # CSV can take megabytes, so Streamlit builds it only when the button is clicked.
    left.download_button(
        t("predict.export_model", lang),
        data=modelfile.to_bytes(model),
        file_name="polyreg-model" + modelfile.SUFFIX,
        mime="application/octet-stream",
        key="predict_export_model",
    )
    history = model.result.history
    middle.download_button(
        t("predict.export_history", lang),
        data=lambda: to_csv_bytes(history_frame(history)),
        file_name="polyreg-history.csv",
        mime="text/csv",
        key="predict_export_history",
        disabled=len(history) == 0,
        help=None if len(history) else t("predict.export_history_none", lang),
    )
    right.download_button(
        t("predict.export_script", lang),
        data=render_script(model, lang),
        file_name=SCRIPT_NAME,
        mime="text/x-python",
        key="predict_export_script",
    )
    st.caption(t("predict.export_caption", lang))


models.apply_link()
for link_error in st.session_state.get("predict_link_errors", []):
    st.error(t("predict.link_failed", lang, message=error_text(link_error, lang)))

model = models.current_model()
if model is None:
    st.info(t("predict.no_model", lang))
    st.page_link("app_pages/train.py", label=t("common.go_train", lang), icon=":material/model_training:")
    import_section()
    st.stop()

model_caption(model)

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
    try:
        show_prediction(model, float(check_x(np.array([value]))[0]))
    except PolyregError as exc:
        st.error(error_text(exc, lang))

batch_section(model)
share_section(model)
export_section(model)
import_section()
