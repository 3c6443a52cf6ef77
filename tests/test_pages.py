"""AppTest of every page: loads without exception, upload, train with few epochs, predict."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SAMPLE_CSV

APP = str(ROOT / "app.py")


def new_app(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["lang"] = lang
    return at.run()


def open_page(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"app_pages/{page}.py").run()


def wait_for_training(at: AppTest, limit_s: float = 60) -> AppTest:
    """Rerun until the background job is collected, as the page's live view does."""
    deadline = time.monotonic() + limit_s
    while at.session_state["job"] is not None:
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.1)
        at.run()
    return at


def train(at: AppTest, epochs: int = 500, **settings) -> AppTest:
    open_page(at, "train")
    at.number_input(key="train_epochs").set_value(epochs)
    for key, value in settings.items():
        at.number_input(key=key).set_value(value)
    at.button[0].click().run()
    return wait_for_training(at)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("page", ["data", "train", "learn", "predict"])
def test_page_loads(page, lang):
    at = open_page(new_app(lang), page)
    assert not at.exception
    assert at.title[0].value


def test_default_language_is_korean():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert at.session_state["lang"] == "ko"
    assert at.title[0].value == "데이터"


def test_language_radio_follows_session_language():
    at = new_app("en")
    assert at.radio(key="lang_choice").value == "en"
    assert at.title[0].value == "Data"


def test_user_language_choice_sticks():
    at = new_app("en")
    at.radio(key="lang_choice").set_value("ko").run()
    at.run()
    assert at.title[0].value == "데이터"


def test_data_page_starts_on_sample():
    at = new_app()
    assert "200 rows" in at.success[0].value
    chart = at.get("plotly_chart")[0].proto.spec
    assert '"x"' in chart


def test_upload_replaces_dataset(tmp_path):
    at = new_app()
    at.radio(key="data_source").set_value("upload").run()
    at.file_uploader[0].set_value(("mine.csv", b"x,y\n1,2\n2,5\n3,10\n", "text/csv")).run()
    assert not at.exception
    assert at.session_state["dataset"].name == "mine.csv"
    assert "3 rows" in at.success[0].value


def test_bad_upload_keeps_previous_data():
    at = new_app()
    at.radio(key="data_source").set_value("upload").run()
    at.file_uploader[0].set_value(("bad.csv", b"x,z\n1,2\n", "text/csv")).run()
    assert not at.exception
    assert "bad.csv" in at.error[0].value
    assert at.session_state["dataset"].name == "dataset.csv"


def test_train_page_without_data_guides_user():
    at = new_app()
    at.session_state["dataset"] = None
    open_page(at, "train")
    assert not at.exception
    assert at.info[0].value.startswith("Load data first")


def test_train_shows_results_table():
    at = train(new_app(), epochs=2000, train_lr=1e-4)
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["w1 (x²)", "w2 (x)", "b"]
    assert table.loc["Learned", "w1 (x²)"] == pytest.approx(3.1, abs=0.05)
    assert table.loc["True", "w2 (x)"] == -1.7
    assert "2,000 epochs" in at.success[0].value


def train_button(at: AppTest):
    return next(b for b in at.button if b.label == "Train")


def test_train_rejects_batch_larger_than_data():
    at = new_app()
    at.radio(key="data_source").set_value("upload").run()
    at.file_uploader[0].set_value(("small.csv", b"x,y\n1,2\n2,5\n3,10\n", "text/csv")).run()
    open_page(at, "train")
    train_button(at).click().run()
    assert not at.exception
    assert "batch size 128" in at.error[0].value
    assert "job" not in at.session_state


def test_predict_without_model_guides_user():
    at = open_page(new_app(), "predict")
    assert at.info[0].value.startswith("No trained model")


def test_predict_form_and_quick_inputs():
    at = train(new_app(), epochs=10_000)
    open_page(at, "predict")
    at.button(key="predict_quick_5").click().run()
    metrics = {m.label: float(m.value) for m in at.metric}
    assert metrics["Model prediction"] == pytest.approx(69.4, abs=1.0)
    at.number_input(key="predict_x").set_value(-3.0)
    at.button[0].click().run()
    assert "x = -3" in [subheader.value for subheader in at.subheader]
    assert not at.exception


def test_language_switch_keeps_settings_and_model():
    at = train(new_app("en"), epochs=1234, train_seed=7)
    at.radio(key="lang_choice").set_value("ko").run()
    assert at.title[0].value == "학습"
    assert at.number_input(key="train_epochs").value == 1234
    assert at.number_input(key="train_seed").value == 7
    assert at.session_state["result"].epochs_done == 1234
    assert at.dataframe[0].value.index[0] == "실제값"


def test_settings_survive_page_switch():
    at = train(new_app("en"), epochs=1500)
    open_page(at, "predict")
    open_page(at, "train")
    assert at.number_input(key="train_epochs").value == 1500
