"""Model files, share links, CSV downloads and batch x columns: round trips and rejections."""

import io
import json
import pickle
import struct

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import save as save_tensors

from polyreg_core import batch, modelfile, share
from polyreg_core.data import Reference, read_csv
from polyreg_core.downloads import history_frame, neutralise, to_csv_bytes
from polyreg_core.errors import ConfigError, DataError, ModelFileError
from polyreg_core.i18n import error_message
from polyreg_core.portable import PortableModel, check_x
from polyreg_core.training import TrainConfig, train
from tests.conftest import SAMPLE_CSV

XS = np.array([-12.0, -3.0, 0.0, 1.0, 5.0, 9.9, 11.0])


@pytest.fixture(scope="module")
def lesson_model() -> PortableModel:
    dataset = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    return PortableModel.from_result(train(dataset, TrainConfig()), dataset)


@pytest.fixture(scope="module")
def cubic_model() -> PortableModel:
    """A degree-3 standardised model trained with Adam: every part of the scaling is non-trivial."""
    dataset = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    config = TrainConfig(epochs=300, degree=3, standardize=True, optimizer="adam", lr=0.05, seed=4)
    return PortableModel.from_result(train(dataset, config), dataset)


# ---------------------------------------------------------------- model files


@pytest.mark.parametrize("name", ["lesson_model", "cubic_model"])
def test_model_file_round_trip_is_exact(request, name):
    model = request.getfixturevalue(name)
    loaded = modelfile.from_bytes(modelfile.to_bytes(model), "m.safetensors")
    assert loaded.origin == "file"
    assert loaded.config == model.config
    assert loaded.result.scaling == model.result.scaling
    assert loaded.data == model.data
    assert loaded.epochs_done == model.epochs_done
    np.testing.assert_array_equal(loaded.predict(XS), model.predict(XS))


def test_lesson_model_predicts_69_4(lesson_model):
    loaded = modelfile.from_bytes(modelfile.to_bytes(lesson_model), "m.safetensors")
    assert loaded.predict(np.array([5.0]))[0] == pytest.approx(69.4, abs=1.0)
    assert loaded.outside_range(np.array([5.0, 11.0])).tolist() == [False, True]


def test_model_file_holds_state_dict_and_metadata(lesson_model):
    content = modelfile.to_bytes(lesson_model)
    length = struct.unpack("<Q", content[:8])[0]
    header = json.loads(content[8 : 8 + length])
    metadata = header["__metadata__"]
    assert set(header) == {"__metadata__", "layer.weight", "layer.bias"}
    assert header["layer.weight"]["shape"] == [1, 2]
    assert json.loads(metadata["config"]) == TrainConfig().to_dict()
    data = json.loads(metadata["data"])
    assert data["fingerprint"] == lesson_model.data.fingerprint
    assert (data["x_column"], data["y_column"]) == ("x", "y")


def test_wrong_degree_names_both(lesson_model):
    with pytest.raises(ModelFileError) as caught:
        modelfile.from_bytes(modelfile.to_bytes(lesson_model), "m.safetensors", expected_degree=3)
    assert caught.value.code == "wrong_degree"
    assert caught.value.params["expected"] == 3
    assert caught.value.params["found"] == 2


class _Payload:
    """Unpickling this object would create the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def crafted_files(marker) -> dict[str, bytes]:
    """A raw pickle and a torch.save checkpoint, each carrying a payload that creates ``marker``."""
    buffer = io.BytesIO()
    torch.save({"layer.weight": torch.zeros(1, 2), "payload": _Payload(marker)}, buffer)
    return {"pickle": pickle.dumps(_Payload(marker)), "torch.save": buffer.getvalue()}


@pytest.mark.parametrize("kind", ["pickle", "torch.save"])
def test_crafted_pickle_is_rejected_unrun(tmp_path, kind):
    marker = tmp_path / "payload-ran"
    content = crafted_files(marker)[kind]
    with pytest.raises(ModelFileError) as caught:
        modelfile.from_bytes(content, "evil.safetensors")
    assert caught.value.code == "model_is_pickle"
    assert not marker.exists()


def test_crafted_file_really_runs_when_unpickled(tmp_path):
    # The payload works, so the rejection test above proves something.
    marker = tmp_path / "payload-ran"
    pickle.loads(crafted_files(marker)["pickle"])
    assert marker.exists()


def _with_metadata(model, **changes) -> bytes:
    weight, bias = model.layer_parameters()
    content = modelfile.to_bytes(model)
    length = struct.unpack("<Q", content[:8])[0]
    metadata = json.loads(content[8 : 8 + length])["__metadata__"] | changes
    tensors = {"layer.weight": torch.tensor(weight)[None, :], "layer.bias": torch.tensor([bias])}
    return save_tensors(tensors, metadata=metadata)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda m: b"", "not_a_model"),
        (lambda m: b"x,y\n1,2\n", "not_a_model"),
        (lambda m: bytes(range(256)) * 4, "not_a_model"),
        (lambda m: modelfile.to_bytes(m)[:40], "not_a_model"),
        (lambda m: b"\0" * (modelfile.MAX_FILE_BYTES + 1), "model_too_large"),
        (lambda m: save_tensors({"weight": torch.zeros(3)}), "not_a_polyreg_model"),
        (lambda m: save_tensors({"weight": torch.zeros(3)}, metadata={"format": "other"}), "not_a_polyreg_model"),
        (lambda m: _with_metadata(m, format_version="2"), "model_version"),
        (lambda m: _with_metadata(m, degree="3"), "invalid_model_file"),
        (lambda m: _with_metadata(m, config='{"lr": -1.0}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, config='{"epochs": "many"}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, config='{"evil": 1}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, config="[1, 2]"), "invalid_model_file"),
        (lambda m: _with_metadata(m, scaling='{"mean": [0], "std": [1]}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, scaling='{"mean": [0, 0], "std": [0, 1]}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, scaling='{"mean": [NaN, 0], "std": [1, 1]}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, data='{"name": "a"}'), "invalid_model_file"),
        (lambda m: _with_metadata(m, epochs_done="-1"), "invalid_model_file"),
    ],
    ids=[
        "empty", "csv", "random", "truncated", "too-large", "other-safetensors", "other-format",
        "version", "degree-stated", "bad-lr", "epochs-text", "unknown-setting", "config-list",
        "scaling-count", "scaling-zero-std", "scaling-nan", "data-missing", "epochs-negative",
    ],
)  # fmt: skip
def test_model_file_rejections(lesson_model, make, code):
    with pytest.raises(ModelFileError) as caught:
        modelfile.from_bytes(make(lesson_model), "m.safetensors")
    assert caught.value.code == code
    assert "m.safetensors" in error_message(caught.value, "en")
    assert "m.safetensors" in error_message(caught.value, "ko")


def test_model_file_rejects_nan_weights(lesson_model):
    content = modelfile.to_bytes(lesson_model)
    length = struct.unpack("<Q", content[:8])[0]
    metadata = json.loads(content[8 : 8 + length])["__metadata__"]
    tensors = {"layer.weight": torch.tensor([[np.nan, 1.0]]), "layer.bias": torch.zeros(1)}
    with pytest.raises(ModelFileError) as caught:
        modelfile.from_bytes(save_tensors(tensors, metadata=metadata), "m.safetensors")
    assert caught.value.params["reason"].code == "not_finite"


def test_model_file_rejects_float64_tensors(lesson_model):
    content = modelfile.to_bytes(lesson_model)
    length = struct.unpack("<Q", content[:8])[0]
    metadata = json.loads(content[8 : 8 + length])["__metadata__"]
    tensors = {"layer.weight": torch.zeros(1, 2, dtype=torch.float64), "layer.bias": torch.zeros(1)}
    with pytest.raises(ModelFileError) as caught:
        modelfile.from_bytes(save_tensors(tensors, metadata=metadata), "m.safetensors")
    assert caught.value.params["reason"].code == "wrong_tensor_shape"


# ---------------------------------------------------------------- share links


@pytest.mark.parametrize("name", ["lesson_model", "cubic_model"])
def test_share_link_round_trip_is_exact(request, name):
    model = request.getfixturevalue(name)
    query = share.to_query(model, x=5)
    loaded = share.model_from_query(query)
    assert loaded.origin == "link"
    assert loaded.config == model.config
    assert loaded.result.scaling == model.result.scaling
    np.testing.assert_array_equal(loaded.layer_parameters()[0], model.layer_parameters()[0])
    np.testing.assert_array_equal(loaded.predict(XS), model.predict(XS))
    assert (loaded.data.x_min, loaded.data.x_max) == (model.data.x_min, model.data.x_max)
    assert share.x_from_query(query) == 5.0


def test_float32_text_round_trips():
    values = np.random.default_rng(0).standard_normal(2000).astype(np.float32) * np.float32(1e3)
    for value in values:
        assert np.float32(float(share._float32_text(value))) == value


def _link(model, **changes) -> dict[str, str]:
    query = share.to_query(model)
    for key, value in changes.items():
        if value is None:
            del query[key]
        else:
            query[key] = value
    return query


@pytest.mark.parametrize(
    ("changes", "code", "param"),
    [
        (dict(w="abc,1"), "invalid_link", "w"),
        (dict(w="1"), "invalid_link", "w"),
        (dict(w="1,2,3"), "invalid_link", "w"),
        (dict(w="nan,1"), "invalid_link", "w"),
        (dict(w="1e999,1"), "invalid_link", "w"),
        (dict(b="inf"), "invalid_link", "b"),
        (dict(w="1e39,1"), "invalid_link", "w"),
        (dict(b="1" * 2000), "invalid_link", "b"),
        (dict(degree="99"), "invalid_link", "degree"),
        (dict(degree="2.5"), "invalid_link", "degree"),
        (dict(degree="-1"), "invalid_link", "degree"),
        (dict(standardize="yes"), "invalid_link", "standardize"),
        (dict(standardize="1"), "link_missing", "mean"),
        (dict(standardize="1", mean="0,0", std="1,0"), "invalid_link_model", None),
        (dict(epochs="0"), "invalid_link_model", None),
        (dict(lr="-0.1"), "invalid_link_model", None),
        (dict(batch_size="<script>"), "invalid_link", "batch_size"),
        (dict(optimizer="lbfgs"), "invalid_link", "optimizer"),
        (dict(device="tpu"), "invalid_link", "device"),
        (dict(momentum="1.5"), "invalid_link_model", None),
        (dict(x_range="5,1"), "invalid_link", "x_range"),
        (dict(x_range="1"), "invalid_link", "x_range"),
        (dict(done="-3"), "invalid_link", "done"),
        (dict(data="../../etc/passwd"), "invalid_link", "data"),
        (dict(v="9"), "link_version", None),
        (dict(w=None), "link_missing", "w"),
    ],
)
def test_share_link_rejections(lesson_model, changes, code, param):
    with pytest.raises(ConfigError) as caught:
        share.model_from_query(_link(lesson_model, **changes))
    assert caught.value.code == code
    if param is not None:
        assert caught.value.params["param"] == param
    for lang in ("en", "ko"):
        assert error_message(caught.value, lang)


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-inf", "", "1e400"])
def test_share_link_rejects_bad_x(text):
    with pytest.raises(ConfigError):
        share.x_from_query({"x": text})


@pytest.mark.parametrize(("text", "value"), [("5", 5.0), ("-3", -3.0), ("11", 11.0), ("-2.5", -2.5), ("1e2", 100.0)])
def test_share_link_reads_x(text, value):
    assert share.x_from_query({"x": text}) == value


def test_share_link_without_model_keys():
    assert not share.is_model_link({"x": "5"})
    assert share.x_from_query({}) is None


def test_check_x_rejects_non_finite():
    with pytest.raises(ConfigError):
        check_x(np.array([1.0, np.inf]))


# ---------------------------------------------------------------- downloads


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-2.5", "-2.5"),
        ("+1e3", "+1e3"),
        ("plain", "plain"),
        (-2.5, -2.5),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_download_keeps_negative_numbers():
    frame = pd.DataFrame({"=HYPERLINK(\"x\")": [-2.0, 3.0], "label": ["=cmd|' /C calc'!A0", "-1"], "flag": [True, False]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == ["'=HYPERLINK(\"x\")", "label", "flag"]
    assert back.iloc[:, 0].tolist() == [-2.0, 3.0]
    assert back["label"].tolist() == ["'=cmd|' /C calc'!A0", "-1"]
    assert back["flag"].tolist() == [True, False]


def test_history_frame_columns(lesson_model):
    frame = history_frame(lesson_model.result.history)
    assert list(frame.columns) == ["epoch", "cost", "w1_x^2", "w2_x^1", "bias"]
    assert len(frame) == 10_000
    assert frame["w1_x^2"].iloc[-1] == pytest.approx(lesson_model.coefficients()[0][0], rel=1e-6)


# ---------------------------------------------------------------- batch x columns


def test_batch_csv_with_integers_and_negatives(lesson_model):
    sample = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name, reference=Reference(bias=0.5))
    table = batch.read_table(b"x\n5\n-3\n11\n0\n", "xs.csv")
    x = batch.x_values(table, batch.default_column(table, lesson_model))
    assert x.tolist() == [5.0, -3.0, 11.0, 0.0]
    predictions = batch.prediction_table(lesson_model, x, sample)
    assert predictions["prediction"][0] == pytest.approx(69.4, abs=1.0)
    assert predictions["optimum"][0] == pytest.approx(69.4, abs=0.5)
    assert predictions["true"][0] == pytest.approx(3.1 * 25 - 1.7 * 5 + 0.5)
    assert predictions["outside_range"].tolist() == [False, False, True, False]


def test_batch_excel_file(lesson_model):
    buffer = io.BytesIO()
    pd.DataFrame({"id": ["a", "b"], "input": [5, -2.5]}).to_excel(buffer, index=False)
    table = batch.read_table(buffer.getvalue(), "xs.xlsx")
    assert table.columns == ("input",)
    x = batch.x_values(table, batch.default_column(table, lesson_model))
    assert x.tolist() == [5.0, -2.5]


def test_batch_uses_data_page_parser(lesson_model):
    # A semicolon-separated file with decimal commas, as a Korean or German spreadsheet saves it.
    table = batch.read_table("id;X\n1;5,0\n2;-2,5\n".encode(), "xs.csv")
    assert table.columns == ("id", "X")
    column = batch.default_column(table, lesson_model)
    assert column == "X"
    assert batch.x_values(table, column).tolist() == [5.0, -2.5]


def test_batch_without_training_data_has_no_optimum(lesson_model):
    predictions = batch.prediction_table(lesson_model, np.array([1.0]), None)
    assert list(predictions.columns) == ["x", "prediction", "outside_range"]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "xs.csv", "empty_file"),
        (b"x\n", "xs.csv", "no_rows"),
        (b"not an excel file", "xs.xlsx", "unreadable_table"),
        (b"x\n1\nfive\n", "xs.csv", "not_numeric"),
    ],
)
def test_batch_rejections(lesson_model, content, name, code):
    with pytest.raises(DataError) as caught:
        table = batch.read_table(content, name)
        batch.x_values(table, "x")
    assert caught.value.code == code


def test_batch_bad_cell_names_row():
    table = batch.read_table(b"x\n1\n2\nfive\n", "xs.csv")
    with pytest.raises(DataError) as caught:
        batch.x_values(table, "x")
    assert caught.value.params["row"] == 4
    assert caught.value.params["value"] == "five"


def test_corrupted_model_files_raise_model_file_error(lesson_model):
    good = modelfile.to_bytes(lesson_model)
    rng = np.random.default_rng(7)
    for _ in range(500):
        content = bytearray(good)
        for position in rng.integers(0, len(content), size=rng.integers(1, 4)):
            content[position] = rng.integers(0, 256)
        try:
            loaded = modelfile.from_bytes(bytes(content), "m.safetensors")
        except ModelFileError:
            continue
        assert np.isfinite(loaded.layer_parameters()[0]).all()


def test_garbled_links_raise_config_error(lesson_model):
    good = share.to_query(lesson_model)
    rng = np.random.default_rng(8)
    alphabet = list("0123456789.,-+eEnaif x%")
    for _ in range(500):
        query = dict(good)
        key = list(query)[rng.integers(0, len(query))]
        text = list(query[key]) or [""]
        text[rng.integers(0, len(text))] = alphabet[rng.integers(0, len(alphabet))]
        query[key] = "".join(text)
        try:
            share.model_from_query(query)
        except ConfigError:
            continue
