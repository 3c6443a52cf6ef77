"""Data page: the bundled sample or an uploaded CSV, with a preview and a scatter plot."""

import logging

import streamlit as st

from polyreg_app import state
from polyreg_app.charts import data_scatter
from polyreg_core.data import SAMPLE_SEED, read_csv
from polyreg_core.errors import PolyregError
from polyreg_core.i18n import error_message, t
from polyreg_core.logs import log_user_error

# Streamlit runs a page as __main__, so the logger gets its name by hand.
logger = logging.getLogger("polyreg_app.pages.data")
lang = state.lang()


def use_sample() -> None:
    if st.session_state.data_source == "sample":
        st.session_state.dataset = state.load_sample()
        st.session_state.upload_error = None


def read_upload(upload) -> None:
    """Parse a new upload once; on an error keep the dataset the user had."""
    if upload is None or upload.file_id == st.session_state.get("upload_id"):
        return
    st.session_state.upload_id = upload.file_id
    try:
        st.session_state.dataset = read_csv(upload.getvalue(), upload.name)
        st.session_state.upload_error = None
    except PolyregError as exc:
        log_user_error(logger, exc, session=state.session_id())
        st.session_state.upload_error = exc


st.title(t("data.title", lang))
st.caption(t("data.intro", lang))

source = st.radio(
    t("data.source", lang),
    ["sample", "upload"],
    format_func=lambda s: t(f"data.source_{s}", lang),
    key="data_source",
    horizontal=True,
    on_change=use_sample,
)
if source == "upload":
    upload = st.file_uploader(t("data.upload_label", lang), type=["csv", "txt"], key="data_upload")
    read_upload(upload)
    if upload is None:
        st.info(t("data.upload_prompt", lang))

dataset = st.session_state.dataset
error = st.session_state.get("upload_error")
if error is not None:
    st.error(error_message(error, lang))
    st.info(t("data.kept_previous", lang, name=dataset.name))
elif source == "sample":
    st.caption(t("data.sample_caption", lang, seed=SAMPLE_SEED))

st.success(t("data.loaded", lang, name=dataset.name, rows=len(dataset)))
left, right = st.columns([1, 2])
with left:
    st.subheader(t("data.preview", lang))
    st.dataframe(dataset.frame().head(20), hide_index=True)
with right:
    st.plotly_chart(data_scatter(dataset, lang), key="data_scatter")
st.page_link("app_pages/train.py", label=t("data.next_step", lang), icon=":material/arrow_forward:")
