"""Per-session state: language, the dataset in use, the training job and its result.

Everything lives in ``st.session_state``, so two students on one server never share a
model or a dataset.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from polyreg_core.data import LESSON_WEIGHTS, Dataset, Reference, SampleSpec, read_csv
from polyreg_core.i18n import lang_from_locale
from polyreg_core.tables import Limits
from polyreg_core.training import TrainConfig

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "dataset.csv"
SAMPLE_NAME = "dataset.csv"

_TRAIN_DEFAULTS = TrainConfig()
_SAMPLE_SPEC = SampleSpec()
# Every keyed widget of every page with its default. ``init`` writes them back on each run,
# so a value survives while its page is not on screen. A new widget key belongs here.
WIDGET_DEFAULTS: dict[str, object] = {
    "data_source": "sample",
    "data_x_column": None,
    "data_y_column": None,
    "data_ref_on": True,
    "data_ref_a": LESSON_WEIGHTS[0],
    "data_ref_b": LESSON_WEIGHTS[1],
    "data_gen_a": _SAMPLE_SPEC.a,
    "data_gen_b": _SAMPLE_SPEC.b,
    "data_gen_c": _SAMPLE_SPEC.c,
    "data_gen_noise": _SAMPLE_SPEC.noise,
    "data_gen_low": _SAMPLE_SPEC.noise_low,
    "data_gen_high": _SAMPLE_SPEC.noise_high,
    "data_gen_std": _SAMPLE_SPEC.noise_std,
    "data_gen_x_min": _SAMPLE_SPEC.x_start,
    "data_gen_x_max": _SAMPLE_SPEC.x_start + _SAMPLE_SPEC.x_step * _SAMPLE_SPEC.n_points,
    "data_gen_points": _SAMPLE_SPEC.n_points,
    "data_gen_seed": _SAMPLE_SPEC.seed,
    "train_epochs": _TRAIN_DEFAULTS.epochs,
    "train_lr": _TRAIN_DEFAULTS.lr,
    "train_batch_size": _TRAIN_DEFAULTS.batch_size,
    "train_shuffle": _TRAIN_DEFAULTS.shuffle,
    "train_drop_last": _TRAIN_DEFAULTS.drop_last,
    "train_seed": _TRAIN_DEFAULTS.seed,
    "train_optimizer": _TRAIN_DEFAULTS.optimizer,
    "train_momentum": _TRAIN_DEFAULTS.momentum,
    "train_degree": _TRAIN_DEFAULTS.degree,
    "train_standardize": _TRAIN_DEFAULTS.standardize,
    "predict_x": 5.0,
    "learn_epoch": None,  # the replay's slider; the Learn page sets it to each new run's last epoch
    "learn_zoom": 1,
    "learn_show_step": False,
    "large_text": False,
}


@cache
def load_sample() -> Dataset:
    """Load the bundled sample, whose true curve is known from its recipe, once per server."""
    spec = SampleSpec()
    reference = Reference(weights=(spec.a, spec.b), bias=spec.c + spec.noise_mean)
    # The upload limits in the environment are for students' files. An invalid one is
    # reported on the Data page, so it must not stop the bundled sample from loading.
    return read_csv(SAMPLE_PATH.read_bytes(), SAMPLE_NAME, reference=reference, limits=Limits())


def init() -> None:
    """Fill in a new session's defaults and collect a training job that has finished."""
    keep_language()
    if "dataset" not in st.session_state:
        st.session_state.dataset = load_sample()
    remember(WIDGET_DEFAULTS)
    collect_finished_job()


def lang() -> str:
    return st.session_state.lang


def keep_language() -> None:
    """Set the language from the browser's locale once; replace a guess once a locale arrives.

    ``lang`` is plain session state, not the radio's own key. When it was the radio's key, an
    English page was seen to turn Korean under load during a training. NOTE: which Streamlit
    1.67 rerun reset the radio is not pinned down. Some reruns carry no browser locale.
    """
    locale = st.context.locale
    if "lang" not in st.session_state:
        st.session_state.lang = lang_from_locale(locale)
        st.session_state.lang_guessed = locale is None
    elif st.session_state.get("lang_guessed") and locale:
        st.session_state.lang = lang_from_locale(locale)
        st.session_state.lang_guessed = False


def choose_language() -> None:
    """Store the language picked in the sidebar radio (its on_change callback)."""
    st.session_state.lang = st.session_state.lang_choice
    st.session_state.lang_guessed = False


def training_running() -> bool:
    """Return True while this session has a training job waiting or training."""
    job = st.session_state.get("job")
    return job is not None and job.running


def remember(defaults: dict[str, object]) -> None:
    """Give widgets their defaults once and keep their values across page switches.


    Streamlit drops a widget's value when a run does not draw it (another page is open);
    writing the value back under its key makes it ordinary session state that survives.
    The widgets then take no ``value=`` of their own, because Streamlit warns when both set it.
    """
    for key, default in defaults.items():
        st.session_state[key] = st.session_state.get(key, default)


def collect_finished_job() -> None:
    """Move a finished job's result (or error) into the session and forget the job."""
    job = st.session_state.get("job")
    if job is None or job.running:
        return
    snapshot = job.snapshot()
    if snapshot.result is not None:
        st.session_state.result = snapshot.result
        st.session_state.result_dataset = job.dataset
    st.session_state.train_error = snapshot.error
    st.session_state.train_cancelled = snapshot.cancelled
    # the epoch a Continue started from, so the page can name the epochs it added
    st.session_state.result_start_epoch = job.resume.epochs_done if job.resume is not None else 0
    st.session_state.job = None


def session_id() -> str:
    """Return the start of Streamlit's id for this browser session, to tell sessions apart in logs."""
    ctx = get_script_run_ctx()
    return ctx.session_id[:8] if ctx is not None else "-"
