"""The model the Predict page uses, kept in ``st.session_state.predict_model``.

It comes from three places, and the newest wins: a training run finished in this session, a
share link's query parameters, or an uploaded model file. An error from a link or a file
leaves the model the user already had in place.
"""

from __future__ import annotations

import streamlit as st

from polyreg_core import modelfile, share
from polyreg_core.data import Dataset
from polyreg_core.errors import PolyregError
from polyreg_core.portable import PortableModel, optimum_for
from polyreg_core.reference import Optimum
from polyreg_core.training import TrainConfig


def current_model() -> PortableModel | None:
    """Adopt a newly finished training result, then return the model in use."""
    result = st.session_state.get("result")
    if result is not None and result is not st.session_state.get("predict_adopted_result"):
        st.session_state.predict_adopted_result = result
        st.session_state.predict_model = PortableModel.from_result(result, st.session_state.result_dataset)
    return st.session_state.get("predict_model")


def apply_link() -> None:
    """Read the share link's query parameters once per distinct link.

    Errors go to ``st.session_state.predict_link_errors``. A valid ``x`` fills in the form and
    is predicted even when the model part of the link is invalid.
    """
    params = st.query_params.to_dict()
    seen = tuple(sorted(params.items()))
    if seen == st.session_state.get("predict_link_seen"):
        return
    st.session_state.predict_link_seen = seen
    errors: list[PolyregError] = []
    if share.is_model_link(params):
        try:
            st.session_state.predict_model = share.model_from_query(params)
        except PolyregError as exc:
            errors.append(exc)
    try:
        x = share.x_from_query(params)
    except PolyregError as exc:
        errors.append(exc)
    else:
        if x is not None:
            st.session_state.predict_x = x
            st.session_state.predict_value = x
    st.session_state.predict_link_errors = errors


def expected_degree() -> int:
    """The degree set on the Train page; an imported model must have it."""
    return int(st.session_state.get("train_degree", TrainConfig().degree))


def import_upload(upload) -> bool:
    """Load a newly uploaded model file once and return whether the model in use changed.

    An error is stored in ``predict_import_error`` and keeps the model the user had.
    """
    if upload is None or upload.file_id == st.session_state.get("predict_import_id"):
        return False
    st.session_state.predict_import_id = upload.file_id
    try:
        model = modelfile.from_bytes(upload.getvalue(), upload.name, expected_degree())
    except PolyregError as exc:
        st.session_state.predict_import_error = exc
        return False
    st.session_state.predict_import_error = None
    st.session_state.predict_import_name = upload.name
    st.session_state.predict_model = model
    return True


def training_data(model: PortableModel) -> Dataset | None:
    """Return the dataset the model was trained on when the session has it, else None.

    A model from a file or a link carries only its data's fingerprint, so the dataset in use
    counts when its values have the same fingerprint (the bundled sample, for instance).
    """
    for dataset in (st.session_state.get("result_dataset"), st.session_state.get("dataset")):
        if model.matches(dataset):
            return dataset
    return None


def optimum(model: PortableModel, dataset: Dataset) -> Optimum:
    """Return the exact least-squares fit for the model's degree on ``dataset``, cached per pair."""
    key = (dataset.fingerprint, model.degree)
    cached = st.session_state.get("predict_optimum")
    if cached is None or cached[0] != key:
        cached = (key, optimum_for(model, dataset))
        st.session_state.predict_optimum = cached
    return cached[1]
