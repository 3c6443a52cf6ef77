"""Train page: the settings, a live view while training runs, then the results.

The run trains in a background thread (``TrainingJob``), so any other widget can rerun the
page meanwhile without touching it. Its settings stay locked until it ends or is stopped.
"""

import logging

import streamlit as st

from polyreg_app import display, state
from polyreg_app.messages import error_text, escape_markdown
from polyreg_app.charts import fit_chart, loss_chart
from polyreg_app.guards import batch_guard
from polyreg_app.insight import lr_guidance_panel, show_coefficient_table
from polyreg_core.device import detect_device
from polyreg_core.errors import PolyregError
from polyreg_core.features import MAX_DEGREE, MIN_DEGREE
from polyreg_core.i18n import t
from polyreg_core.jobs import TrainingJob
from polyreg_core.logs import log_user_error
from polyreg_core.outcome import divergence_message
from polyreg_core.training import MAX_EPOCHS, OPTIMIZERS, TrainConfig, TrainResult, check_resumable

LIVE_REFRESH_S = 0.25
LIVE_CHART_REFRESH_S = 1.0
OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam"}
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
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
running = state.training_running()
previous = st.session_state.get("result")
device = st.session_state.device


def features_text(degree: int) -> str:
    """Format the feature list of a degree as the lesson writes it: [x², x] for degree 2."""
    powers = [f"x{str(k).translate(SUPERSCRIPTS)}" if k > 1 else "x" for k in range(degree, 0, -1)]
    return "[" + ", ".join(powers) + "]"


def model_summary() -> None:
    degree = st.session_state.train_degree
    shown_device = detect_device() if device == "auto" else device
    optimizer = OPTIMIZER_NAMES[st.session_state.train_optimizer]
    st.caption(
        t(
            "train.model_summary",
            lang,
            features=degree,
            features_text=features_text(degree),
            optimizer=optimizer,
            device=shown_device,
        )
    )


def settings_form() -> tuple[TrainConfig | None, bool]:
    """Draw the settings; return (config, continue?) when a button was pressed. Locked while a run is going."""
    with st.form("train_form"):
        st.subheader(t("train.settings", lang))
        if running:
            st.caption(t("training.locked", lang))
        c1, c2, c3 = st.columns(3)
        c1.number_input(
            t("train.epochs", lang),
            1,
            MAX_EPOCHS,
            step=1000,
            key="train_epochs",
            disabled=running,
            help=t("train.epochs_help", lang, max=MAX_EPOCHS),
        )
        c2.number_input(t("train.lr", lang), 1e-8, 10.0, step=1e-5, format="%.6f", key="train_lr", disabled=running)
        c3.number_input(t("train.batch_size", lang), 1, 1_000_000, key="train_batch_size", disabled=running)
        # The two checkboxes share a wider column, one above the other: in a third of the form
        # their labels were cut short ("매 에폭마다 데이터 순서 변경", "Drop the last partial batch").
        seed_column, batch_column = st.columns([1, 2])
        seed_column.number_input(t("train.seed", lang), 0, 2**31 - 1, key="train_seed", disabled=running)
        batch_column.checkbox(t("train.shuffle", lang), key="train_shuffle", disabled=running)
        batch_column.checkbox(t("train.drop_last", lang), key="train_drop_last", disabled=running)
        c1, c2, c3 = st.columns(3)
        c1.selectbox(
            t("training.optimizer", lang), OPTIMIZERS, format_func=OPTIMIZER_NAMES.get, key="train_optimizer", disabled=running
        )
        c2.number_input(
            t("training.momentum", lang), 0.0, 0.99, step=0.1, format="%.2f",
            help=t("training.momentum_help", lang), key="train_momentum", disabled=running,
        )  # fmt: skip
        c3.number_input(
            t("training.degree", lang), MIN_DEGREE, MAX_DEGREE, help=t("training.degree_help", lang),
            key="train_degree", disabled=running,
        )  # fmt: skip
        st.checkbox(
            t("training.standardize", lang), help=t("training.standardize_help", lang), key="train_standardize", disabled=running
        )
        pressed_continue = False
        if previous is None:
            pressed_train = st.form_submit_button(t("train.start", lang), type="primary", disabled=running)
        else:
            pressed_train = False
            pressed_continue = st.form_submit_button(
                t("training.continue", lang), type="primary", help=t("training.continue_help", lang),
                key="train_continue", disabled=running,
            )  # fmt: skip
    if not (pressed_train or pressed_continue):
        return None, False
    return config_from_widgets(), pressed_continue


def config_from_widgets() -> TrainConfig:
    ss = st.session_state
    return TrainConfig(
        epochs=int(ss.train_epochs),
        lr=float(ss.train_lr),
        batch_size=int(ss.train_batch_size),
        shuffle=bool(ss.train_shuffle),
        drop_last=bool(ss.train_drop_last),
        seed=int(ss.train_seed),
        device=device,
        degree=int(ss.train_degree),
        standardize=bool(ss.train_standardize),
        optimizer=ss.train_optimizer,
        momentum=float(ss.train_momentum),
    )


def reset_model() -> None:
    for key in ("result", "result_dataset", "train_error"):
        st.session_state[key] = None
    st.session_state.train_notice = "training.reset_done"


def reset_button() -> None:
    if previous is not None and not running:
        st.button(t("training.reset", lang), help=t("training.reset_help", lang), key="train_reset", on_click=reset_model)


def start(config: TrainConfig, resume: TrainResult | None) -> None:
    """Check the settings, then queue the run; on bad settings show why and keep the model."""
    if resume is not None and not same_data_as(resume):
        return
    try:
        config.validate(len(dataset))
        if resume is not None:
            check_resumable(resume, config)
    except PolyregError as exc:
        log_user_error(logger, exc, session=state.session_id(), dataset=dataset.name)
        st.error(error_text(exc, lang))
        return
    st.session_state.train_error = None
    st.session_state.train_notice = None
    st.session_state.train_cancelled = False
    st.session_state.job = TrainingJob(dataset, config, resume=resume, session_id=state.session_id()).start()
    st.rerun()


def same_data_as(resume: TrainResult) -> bool:
    """Check that the data in use is what ``resume`` trained on, and show an error if not."""
    trained_on = st.session_state.result_dataset
    if trained_on.fingerprint == dataset.fingerprint:
        return True
    st.error(t("training.data_changed", lang, old=escape_markdown(trained_on.name), new=escape_markdown(dataset.name)))
    return False


@st.fragment(run_every=LIVE_REFRESH_S)
def live_view(job: TrainingJob) -> None:
    """Redraw the progress of the background run; hand over to a full rerun when it ends."""
    snapshot = job.snapshot()
    if not snapshot.running:
        st.rerun()
    progress = snapshot.progress
    if snapshot.waiting_ahead is not None:
        queue = job.queue
        st.info(t("training.waiting", lang, running=queue.running, limit=queue.limit, ahead=snapshot.waiting_ahead))
        st.progress(0.0, text=t("train.starting", lang))
    elif progress is None:
        st.progress(0.0, text=t("train.starting", lang))
    else:
        st.progress(progress.epoch / progress.epochs, text=t("train.running", lang, epoch=progress.epoch, epochs=progress.epochs))
        st.text(_live_line(progress.epoch, progress.cost, progress.weights, progress.bias))
        show_coefficient_table(job.dataset, job.config.degree, progress.weights, progress.bias, lang, key="train_live_table")
    if st.button(t("train.stop", lang), key="train_stop"):
        job.stop()


@st.fragment(run_every=LIVE_CHART_REFRESH_S)
def live_chart(job: TrainingJob) -> None:
    """Redraw the growing loss curve, less often than the progress line: a plotly figure
    costs tens of milliseconds under the GIL, time the training thread would lose."""
    epochs, costs = job.curve()
    if len(costs):
        display.plotly_chart(loss_chart(epochs, costs, lang), key="train_live_loss")


def _live_line(epoch, cost, weights, bias) -> str:
    text = "[" + ", ".join(f"{w:.4f}" for w in weights) + "]"
    return t("train.live_line", lang, epoch=epoch, cost=cost, weights=text, bias=bias)


def notices() -> None:
    """Messages about the last action: a failed or cancelled run, a reset."""
    if st.session_state.get("train_error") is not None:
        st.error(t("train.failed", lang, message=error_text(st.session_state.train_error, lang)))
    if st.session_state.get("train_cancelled"):
        st.info(t("training.cancelled", lang))
    notice = st.session_state.get("train_notice")
    if notice:
        st.info(t(notice, lang))


def outcome_message(result: TrainResult) -> None:
    if result.diverged_at_epoch:
        st.warning(divergence_message(result, lang))
    elif result.stopped:
        st.info(t("train.stopped", lang, epoch=result.epochs_done))
    start_epoch = st.session_state.get("result_start_epoch", 0)
    if start_epoch:
        st.caption(t("training.continued", lang, start=start_epoch, end=result.epochs_done))
    done = t("train.done", lang, epochs=result.epochs_done, seconds=result.train_seconds, device=result.device)
    # A diverged run is no success: its warning above says what happened, this only adds the time.
    if result.diverged_at_epoch:
        st.caption(done)
    else:
        st.success(done)


def results(result: TrainResult) -> None:
    trained_on = st.session_state.result_dataset
    outcome_message(result)
    st.subheader(t("train.results_title", lang))
    if trained_on.reference is None:
        st.info(t("train.no_reference", lang))
    elif result.config.degree < 2:
        st.info(t("training.no_reference_degree", lang, degree=result.config.degree))
    show_coefficient_table(trained_on, result.config.degree, *result.coefficients(), lang, key="train_table")
    left, right = display.columns(2)
    with left:
        display.plotly_chart(fit_chart(trained_on, result, lang), key="train_fit")
    with right:
        epochs, costs = result.history.cost_for_chart()
        display.plotly_chart(loss_chart(epochs, costs, lang), key="train_loss")
    st.page_link("app_pages/predict.py", label=t("train.next_step", lang), icon=":material/arrow_forward:")


model_summary()
if not running:
    batch_guard(dataset, lang)
# Stacked in large-text mode: beside the guidance, the form's three columns were too narrow
# for the Korean checkbox labels at the larger font.
form_column, guidance_column = display.columns([3, 2])
with form_column:
    config, continuing = settings_form()
    reset_button()
with guidance_column:
    lr_guidance_panel(dataset, lang, disabled=running)
if config is not None and not running:
    start(config, previous if continuing else None)

notices()
if running:
    live_view(job)
    live_chart(job)
elif previous is not None:
    results(previous)
