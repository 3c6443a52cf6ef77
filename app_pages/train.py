"""Train page: the lesson's settings, a live view while training runs, then the results."""

import logging

import pandas as pd
import streamlit as st

from polyreg_app import state
from polyreg_app.charts import fit_chart, loss_chart
from polyreg_core.device import detect_device
from polyreg_core.errors import PolyregError
from polyreg_core.i18n import error_message, t
from polyreg_core.jobs import TrainingJob
from polyreg_core.logs import log_user_error
from polyreg_core.training import MAX_EPOCHS, TrainConfig, TrainResult

LIVE_REFRESH_S = 0.25
# Streamlit runs a page as __main__, so the logger gets its name by hand.
logger = logging.getLogger("polyreg_app.pages.train")

lang = state.lang()
st.title(t("train.title", lang))

dataset = st.session_state.dataset
if dataset is None:
    st.info(t("train.no_data", lang))
    st.page_link("app_pages/data.py", label=t("common.go_data", lang), icon=":material/table_chart:")
    st.stop()

job = st.session_state.get("job")
running = job is not None and job.running
device = st.session_state.device
shown_device = detect_device() if device == "auto" else device
st.caption(
    t("train.model_summary", lang, features=2, features_text="[x², x]", optimizer="SGD", device=shown_device)
)


def settings_form() -> TrainConfig | None:
    """Draw the settings; return a config when Train was pressed. Locked while a run is going."""
    with st.form("train_form"):
        st.subheader(t("train.settings", lang))
        c1, c2, c3 = st.columns(3)
        epochs = c1.number_input(
            t("train.epochs", lang), 1, MAX_EPOCHS, step=1000, key="train_epochs", disabled=running
        )
        lr = c2.number_input(t("train.lr", lang), 1e-8, 10.0, step=1e-5, format="%.6f", key="train_lr", disabled=running)
        batch_size = c3.number_input(t("train.batch_size", lang), 1, 1_000_000, key="train_batch_size", disabled=running)
        c1, c2, c3 = st.columns(3)
        shuffle = c1.checkbox(t("train.shuffle", lang), key="train_shuffle", disabled=running)
        drop_last = c2.checkbox(t("train.drop_last", lang), key="train_drop_last", disabled=running)
        seed = c3.number_input(t("train.seed", lang), 0, 2**31 - 1, key="train_seed", disabled=running)
        pressed = st.form_submit_button(t("train.start", lang), type="primary", disabled=running)
    if not pressed:
        return None
    return TrainConfig(
        epochs=int(epochs),
        lr=float(lr),
        batch_size=int(batch_size),
        shuffle=shuffle,
        drop_last=drop_last,
        seed=int(seed),
        device=device,
    )


def start(config: TrainConfig) -> None:
    try:
        config.validate(len(dataset))
    except PolyregError as exc:
        log_user_error(logger, exc, session=state.session_id(), dataset=dataset.name)
        st.error(error_message(exc, lang))
        return
    st.session_state.train_error = None
    st.session_state.job = TrainingJob(dataset, config, session_id=state.session_id()).start()
    st.rerun()


@st.fragment(run_every=LIVE_REFRESH_S)
def live_view(job: TrainingJob) -> None:
    """Redraw the progress of the background run; hand over to a full rerun when it ends."""
    snapshot = job.snapshot()
    if not snapshot.running:
        st.rerun()
    progress = snapshot.progress
    if progress is None:
        st.progress(0.0, text=t("train.starting", lang))
    else:
        st.progress(progress.epoch / progress.epochs, text=t("train.running", lang, epoch=progress.epoch, epochs=progress.epochs))
        st.text(_live_line(progress.epoch, progress.cost, progress.weights, progress.bias))
    if st.button(t("train.stop", lang), key="train_stop"):
        job.stop()
    if snapshot.curve:
        epochs, costs = zip(*snapshot.curve)
        st.plotly_chart(loss_chart(epochs, costs, lang), key="train_live_loss")


def _live_line(epoch, cost, weights, bias) -> str:
    text = "[" + ", ".join(f"{w:.4f}" for w in weights) + "]"
    return t("train.live_line", lang, epoch=epoch, cost=cost, weights=text, bias=bias)


def outcome_message(result: TrainResult) -> None:
    if result.diverged_at_epoch:
        st.warning(t("train.diverged", lang, epoch=result.diverged_at_epoch))
    elif result.stopped:
        st.info(t("train.stopped", lang, epoch=result.epochs_done))
    st.success(t("train.done", lang, epochs=result.epochs_done, seconds=result.train_seconds, device=result.device))


def comparison_table(result: TrainResult, reference) -> pd.DataFrame:
    weights, bias = result.coefficients()
    names = [f"w{i + 1} (x^{len(weights) - i})" for i in range(len(weights))] + ["b"]
    learned = [*weights, bias]
    table = pd.DataFrame({t("train.col_parameter", lang): names, t("train.col_learned", lang): learned})
    if reference is not None:
        true = [*reference.weights, reference.bias]
        table[t("train.col_true", lang)] = true
        table[t("train.col_difference", lang)] = [lv - tv if tv is not None else None for lv, tv in zip(learned, true)]
    return table


def results(result: TrainResult) -> None:
    trained_on = st.session_state.result_dataset
    outcome_message(result)
    st.subheader(t("train.results_title", lang))
    if trained_on.reference is None:
        st.info(t("train.no_reference", lang))
    st.dataframe(comparison_table(result, trained_on.reference), hide_index=True)
    left, right = st.columns(2)
    left.plotly_chart(fit_chart(trained_on, result, lang), key="train_fit")
    right.plotly_chart(loss_chart(result.history.epoch, result.history.cost, lang), key="train_loss")
    st.page_link("app_pages/predict.py", label=t("train.next_step", lang), icon=":material/arrow_forward:")


config = settings_form()
if config is not None and not running:
    start(config)

if st.session_state.get("train_error") is not None:
    st.error(t("train.failed", lang, message=error_message(st.session_state.train_error, lang)))
if running:
    live_view(job)
elif st.session_state.get("result") is not None:
    results(st.session_state.result)
