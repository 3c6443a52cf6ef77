"""The Data page's session logic: which dataset is in use, from the sample, an upload or the generator.

A rejected upload, column choice or generator setting never replaces the dataset in use: the
error is stored beside it, and the page shows both.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
import streamlit as st

from polyreg_app import state
from polyreg_core.data import Dataset, Reference, SampleSpec, generate_checked
from polyreg_core.errors import ConfigError, PolyregError
from polyreg_core.logs import log_user_error
from polyreg_core.tables import Limits, read_table, to_dataset

# The scatter plot draws at most this many points; more only slow the browser down.
MAX_PLOTTED_POINTS = 20_000
logger = logging.getLogger(__name__)


def limits() -> tuple[Limits, ConfigError | None]:
    """Return the limits from the environment, or the defaults and the error when a variable is invalid."""
    try:
        return Limits.from_env(), None
    except ConfigError as exc:
        # NOTE: read on every rerun, so an invalid variable is not logged here, once per run;
        # the Data page shows it instead.
        return Limits(), exc


def upload_limit_mb(limits: Limits) -> int:
    """Return the maximum upload in MB that the browser may send: the lower of ours and Streamlit's."""
    server_mb = st.get_option("server.maxUploadSize")
    return max(1, math.ceil(min(limits.max_upload_mb, server_mb)))


def switch_source(limits: Limits) -> None:
    """Put the chosen source's dataset in use when the source radio changes."""
    # Forget what was applied last, so that the upload's or the generator's dataset is
    # rebuilt now instead of the previous source's staying in use.
    st.session_state.data_choice = None
    st.session_state.data_gen_spec = None
    source = st.session_state.data_source
    if source == "sample":
        st.session_state.dataset = state.load_sample()
        st.session_state.upload_error = None
    elif source == "upload":
        apply_column_choice()
    else:
        apply_generator(limits)


def read_upload(upload, limits: Limits) -> bool:
    """Parse a new upload once and return whether it replaced the dataset in use.

    On success the upload's default columns are selected. On an error everything is kept.
    """
    if upload is None or upload.file_id == st.session_state.get("data_upload_id"):
        return False
    st.session_state.data_upload_id = upload.file_id
    try:
        table = read_table(upload.getvalue(), upload.name, limits)
        x_column, y_column = table.default_columns()
        dataset = to_dataset(table, x_column, y_column, upload_reference())
    except PolyregError as exc:
        log_user_error(logger, exc, session=state.session_id(), upload=upload.name)
        st.session_state.upload_error = exc
        return False
    st.session_state.upload_error = None
    st.session_state.data_table = table
    st.session_state.data_x_column = x_column
    st.session_state.data_y_column = y_column
    st.session_state.dataset = dataset
    st.session_state.data_choice = _choice()
    st.session_state.data_choice_error = None
    return True


def upload_reference() -> Reference | None:
    """Return the reference curve set for uploaded data, or None when the user switched it off.

    The intercept stays unknown because it depends on the noise, which an upload does not state.
    """
    if not st.session_state.data_ref_on:
        return None
    return Reference(weights=(float(st.session_state.data_ref_a), float(st.session_state.data_ref_b)), bias=None)


def apply_column_choice() -> None:
    """Rebuild the upload's dataset when x, y or the reference changed since it was built.

    The page calls it as the widgets' on_change, before app.py draws the sidebar's summary of
    the dataset, and again while drawing, which does nothing when nothing changed.
    """
    table = st.session_state.get("data_table")
    choice = _choice()
    if table is None or st.session_state.get("data_choice") == choice:
        return
    st.session_state.data_choice = choice
    try:
        dataset = to_dataset(table, st.session_state.data_x_column, st.session_state.data_y_column, upload_reference())
    except PolyregError as exc:
        log_user_error(logger, exc, session=state.session_id(), x=st.session_state.data_x_column, y=st.session_state.data_y_column)
        st.session_state.data_choice_error = exc
        return
    st.session_state.data_choice_error = None
    st.session_state.dataset = dataset


def _choice() -> tuple:
    return (
        st.session_state.get("data_upload_id"),
        st.session_state.data_x_column,
        st.session_state.data_y_column,
        upload_reference(),
    )


def generator_spec() -> SampleSpec:
    """Build the generator's recipe from its widgets."""
    s = st.session_state
    return SampleSpec.over_range(
        float(s.data_gen_x_min),
        float(s.data_gen_x_max),
        int(s.data_gen_points),
        a=float(s.data_gen_a),
        b=float(s.data_gen_b),
        c=float(s.data_gen_c),
        noise=s.data_gen_noise,
        noise_low=float(s.data_gen_low),
        noise_high=float(s.data_gen_high),
        noise_std=float(s.data_gen_std),
        seed=int(s.data_gen_seed),
    )


def apply_generator(limits: Limits) -> None:
    """Draw a new dataset when the generator's settings changed, and on an error keep the old one."""
    spec = generator_spec()
    if st.session_state.get("data_gen_spec") == spec:
        return
    st.session_state.data_gen_spec = spec
    try:
        st.session_state.dataset = generate_checked(spec, limits.max_rows)
    except PolyregError as exc:
        log_user_error(logger, exc, session=state.session_id(), generator=spec)
        st.session_state.data_gen_error = exc
        return
    st.session_state.data_gen_error = None


def plotted(dataset: Dataset) -> Dataset:
    """Return the dataset, or a random subset of MAX_PLOTTED_POINTS rows of it for the scatter plot."""
    if len(dataset) <= MAX_PLOTTED_POINTS:
        return dataset
    keep = np.sort(np.random.default_rng(0).choice(len(dataset), MAX_PLOTTED_POINTS, replace=False))
    return replace(dataset, x=dataset.x[keep], y=dataset.y[keep])
