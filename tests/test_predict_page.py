"""AppTest of the Predict page: the form, batch files, share links, exports and model import."""

import io
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from polyreg_core import modelfile
from polyreg_core.data import read_csv
from polyreg_core.portable import PortableModel
from polyreg_core.training import TrainConfig, train as train_core
from tests.conftest import SAMPLE_CSV
from tests.test_pages import new_app, open_page, train
from tests.test_portable import crafted_files


@pytest.fixture(scope="module")
def trained_app():
    """One app trained on the sample with the lesson's settings, reused to save time."""
    at = train(new_app(), epochs=10_000)
    return open_page(at, "predict")


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    dataset = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    return modelfile.to_bytes(PortableModel.from_result(train_core(dataset, TrainConfig()), dataset))


def metrics(at) -> dict[str, float]:
    return {m.label: float(m.value) for m in at.metric}


def test_form_shows_model_optimum_and_true_curve(trained_app):
    at = trained_app
    at.number_input(key="predict_x").set_value(5)
    at.button[0].click().run()
    values = metrics(at)
    assert values["Model prediction"] == pytest.approx(69.4, abs=1.0)
    assert values["Exact optimum"] == pytest.approx(69.4, abs=0.5)
    assert "True curve" in values
    assert not at.warning
    assert not at.exception


@pytest.mark.parametrize(("x", "outside"), [(11, True), (-12, True), (-3, False), (0, False)])
def test_extrapolation_warning(trained_app, x, outside):
    at = trained_app
    at.number_input(key="predict_x").set_value(x)
    at.button[0].click().run()
    assert at.subheader[1].value == f"x = {x}"
    warnings = [w.value for w in at.warning]
    assert any("outside the training data's x range" in w for w in warnings) == outside


def test_batch_csv_gives_table(trained_app):
    at = trained_app
    at.file_uploader(key="predict_batch_upload").set_value(("xs.csv", b"x\n5\n-3\n11\n", "text/csv")).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["Model prediction"][0] == pytest.approx(69.4, abs=1.0)
    assert list(table["Outside the training range"]) == [False, False, True]
    assert "1 of 3 x values" in at.warning[-1].value


def test_batch_excel_picks_column(trained_app):
    at = trained_app
    buffer = io.BytesIO()
    pd.DataFrame({"label": ["a", "b"], "input": [5, -1]}).to_excel(buffer, index=False)
    at.file_uploader(key="predict_batch_upload").set_value(("xs.xlsx", buffer.getvalue(), "application/octet-stream")).run()
    assert at.selectbox(key="predict_batch_column").options == ["input"]  # the text column is not offered
    assert not at.error
    assert at.dataframe[0].value["Model prediction"][0] == pytest.approx(69.4, abs=1.0)


def test_bad_batch_keeps_previous_table(trained_app):
    at = trained_app
    at.file_uploader(key="predict_batch_upload").set_value(("xs.csv", b"x\n5\n", "text/csv")).run()
    at.file_uploader(key="predict_batch_upload").set_value(("bad.xlsx", b"not excel", "application/octet-stream")).run()
    assert "bad.xlsx" in at.error[0].value
    assert at.dataframe[0].value["x"][0] == 5


def test_share_link_opens_in_new_session(trained_app):
    at = trained_app
    at.button(key="predict_share").click().run()
    url = at.code[0].value
    path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
    assert path.endswith("/predict")

    fresh = new_app()
    fresh.query_params.update(query | {"x": "5"})
    open_page(fresh, "predict")
    assert not fresh.exception
    assert "result" not in fresh.session_state
    assert fresh.caption[0].value.startswith("Model from a share link")
    assert metrics(fresh)["Model prediction"] == pytest.approx(metrics_of(at, 5.0), abs=1e-4)
    assert fresh.number_input(key="predict_x").value == 5.0


def metrics_of(at, x: float) -> float:
    at.number_input(key="predict_x").set_value(x)
    at.button[0].click().run()
    return metrics(at)["Model prediction"]


@pytest.mark.parametrize(
    "query",
    [
        {"w": "abc"},
        {"v": "1", "w": "1e999,2", "b": "0", "degree": "2"},
        {"x": "not-a-number"},
        {"x": "[click](http://example.invalid)"},
        {"degree": "99999999999999999999"},
    ],
)
def test_bad_link_shows_message(query):
    at = new_app()
    at.query_params.update(query)
    open_page(at, "predict")
    assert not at.exception
    assert at.error[0].value.startswith("The share link could not be used")
    assert at.info[0].value.startswith("No trained model")


def test_bad_link_keeps_trained_model():
    at = train(new_app(), epochs=500)
    at.query_params.update({"w": "1,2", "b": "nan"})
    open_page(at, "predict")
    assert at.error
    assert at.caption[0].value.startswith("Model trained for 500 epochs")


def test_import_model_predicts_without_training(model_bytes):
    at = open_page(new_app(), "predict")
    at.file_uploader(key="predict_model_upload").set_value(("lesson.safetensors", model_bytes, "application/octet-stream")).run()
    assert not at.exception
    assert "lesson" in at.caption[0].value
    at.button(key="predict_quick_5").click().run()
    assert metrics(at)["Model prediction"] == pytest.approx(69.4, abs=1.0)
    assert "result" not in at.session_state


@pytest.mark.parametrize("kind", ["pickle", "torch.save"])
def test_import_rejects_crafted_pickle(tmp_path, kind):
    marker = tmp_path / "payload-ran"
    at = open_page(new_app("ko"), "predict")
    at.file_uploader(key="predict_model_upload").set_value(("evil.safetensors", crafted_files(marker)[kind], "application/octet-stream")).run()
    assert not at.exception
    assert "pickle" in at.error[0].value
    assert at.info[0].value.startswith("모델") or at.info[0].value.startswith("아직")
    assert not marker.exists()


def test_import_rejects_other_degree():
    dataset = read_csv(SAMPLE_CSV.read_bytes(), SAMPLE_CSV.name)
    cubic = train_core(dataset, TrainConfig(epochs=50, degree=3, standardize=True, lr=0.05))
    content = modelfile.to_bytes(PortableModel.from_result(cubic, dataset))
    at = open_page(new_app(), "predict")
    at.file_uploader(key="predict_model_upload").set_value(("cubic.safetensors", content, "application/octet-stream")).run()
    assert "degree 3" in at.error[0].value
    assert "degree 2 is expected" in at.error[0].value


def test_import_rejects_csv_and_keeps_model(trained_app):
    at = trained_app
    at.file_uploader(key="predict_model_upload").set_value(("data.pt", SAMPLE_CSV.read_bytes(), "application/octet-stream")).run()
    assert "data.pt" in at.error[-1].value
    assert at.caption[0].value.startswith("Model trained for 10,000 epochs")


def test_exports_offered(trained_app):
    at = trained_app
    keys = {"predict_export_model", "predict_export_history", "predict_export_script"}
    buttons = [b for b in at.get("download_button") if b.proto.id and any(k in b.proto.id for k in keys)]
    assert len(buttons) == 3
