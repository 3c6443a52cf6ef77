"""polyreg: a bilingual Streamlit dashboard that teaches nonlinear regression with PyTorch.

Run with ``make run`` (or ``streamlit run app.py``). This file sets up the page, the
language, device and large-text switches in the sidebar, and the navigation; each screen is in app_pages/.
"""

from pathlib import Path

import streamlit as st

from polyreg_app import display, state
from polyreg_app.messages import escape_markdown
from polyreg_core.device import available_devices, detect_device
from polyreg_core.i18n import LANGS, t
from polyreg_core.jobs import configure_torch_threads
from polyreg_core.logs import configure as configure_logging

LANG_NAMES = {"ko": "한국어", "en": "English"}
ICON = Path(__file__).resolve().parent / "polyreg_app" / "icon.png"

# A local icon file: a ":material/…:" page icon makes the browser fetch the favicon from
# fonts.gstatic.com, and the app reaches nothing outside this machine.
st.set_page_config(page_title="polyreg", page_icon=str(ICON), layout="wide")
configure_logging()
configure_torch_threads()
state.init()

with st.sidebar:
    # The label is in both languages, so a user who cannot read the current one finds it.
    lang = state.lang()
    st.radio(
        "언어 · Language",
        LANGS,
        index=LANGS.index(lang),
        format_func=LANG_NAMES.get,
        key="lang_choice",
        horizontal=True,
        on_change=state.choose_language,
    )
    auto_label = t("common.device_auto", lang, device=detect_device())
    st.selectbox(
        t("common.device", lang),
        ["auto", *available_devices()],
        format_func=lambda d: auto_label if d == "auto" else d,
        key="device",
        disabled=state.training_running(),  # a run keeps its device; the next run takes the new one
    )
    st.toggle(t("display.large_text", lang), key="large_text", help=t("display.large_text_help", lang))
    dataset = st.session_state.dataset
    if dataset is None:
        st.caption(t("common.no_dataset", lang))
    else:
        st.caption(t("common.dataset_in_use", lang, name=escape_markdown(dataset.name), rows=len(dataset)))

pages = [
    st.Page("app_pages/data.py", title=t("common.nav_data", lang), icon=":material/table_chart:", url_path="data", default=True),
    st.Page("app_pages/train.py", title=t("common.nav_train", lang), icon=":material/model_training:", url_path="train"),
    st.Page("app_pages/learn.py", title=t("learn.title", lang), icon=":material/insights:", url_path="learn"),
    st.Page("app_pages/predict.py", title=t("common.nav_predict", lang), icon=":material/online_prediction:", url_path="predict"),
]
display.apply_page_text()
st.navigation(pages).run()
