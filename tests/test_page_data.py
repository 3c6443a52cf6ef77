"""AppTest of the Data page with every file in tests/data/, the column pickers, the reference
editor, the generator and the Train page's guard for tables smaller than a batch."""

import pytest

from polyreg_app.messages import escape_markdown
from polyreg_app.state import load_sample
from tests.table_cases import ERRORS, LOADS, content, params
from tests.test_pages import new_app, open_page, train_button, wait_for_training

MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xls": "application/vnd.ms-excel"}


def upload(at, name: str, data: bytes):
    at.radio(key="data_source").set_value("upload").run()
    mime = MIME.get(name[name.rfind(".") :], "text/csv")
    return at.file_uploader(key="data_upload").set_value((name, data, mime)).run()


def upload_case(at, case: dict, monkeypatch):
    for variable, value in case.get("env", {}).items():
        monkeypatch.setenv(variable, value)
    return upload(at, case["file"], content(case))


@pytest.mark.parametrize("case", params(ERRORS))
def test_page_rejects_file_and_keeps_data(case, monkeypatch):
    at = upload_case(new_app(), case, monkeypatch)
    assert not at.exception
    assert escape_markdown(case["file"]) in at.error[0].value  # as Markdown, shown as the name
    assert "dataset.csv" in at.info[0].value  # the data kept
    assert at.session_state["dataset"].name == "dataset.csv"
    assert "200 rows" in at.success[0].value


@pytest.mark.parametrize("case", params(ERRORS[:6]))
def test_page_rejects_file_in_korean(case, monkeypatch):
    at = upload_case(new_app("ko"), case, monkeypatch)
    assert not at.exception
    assert escape_markdown(case["file"]) in at.error[0].value  # as Markdown, shown as the name
    assert "errors." not in at.error[0].value


@pytest.mark.parametrize("case", params(LOADS))
def test_page_loads_file(case, monkeypatch):
    at = upload_case(new_app(), case, monkeypatch)
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert dataset.name == case["file"]
    assert len(dataset) == case["rows"]
    assert f"{case['rows']} rows loaded" in at.success[0].value
    assert not at.error
    if case["dropped"]:
        assert f"Rows: {case['dropped'][0]}" in at.warning[0].value
    if not case["header"]:
        assert any("read as data" in info.value for info in at.info)


def test_korean_columns_get_pickers():
    at = upload(new_app(), "scores.csv", "공부시간,점수,이름\n1,52,a\n2,55,b\n3,61,c\n".encode("cp949"))
    assert at.selectbox(key="data_x_column").options == ["공부시간", "점수"]
    assert at.selectbox(key="data_x_column").value == "공부시간"
    assert at.selectbox(key="data_y_column").value == "점수"
    assert any("이름 (text)" in caption.value for caption in at.caption)


def test_x_and_y_files_get_no_pickers():
    at = upload(new_app(), "xy.csv", b"x,y\n1,2\n2,5\n3,10\n")
    assert [box.key for box in at.selectbox] == ["device"]


def test_picking_columns_rebuilds_dataset():
    at = upload(new_app(), "three.csv", b"a,b,c\n1,2,30\n2,5,20\n3,10,10\n")
    at.selectbox(key="data_x_column").set_value("c").run()
    at.selectbox(key="data_y_column").set_value("a").run()
    dataset = at.session_state["dataset"]
    assert (dataset.x_column, dataset.y_column) == ("c", "a")
    assert list(dataset.x) == [30, 20, 10]


def test_same_column_twice_keeps_dataset():
    at = upload(new_app(), "three.csv", b"a,b,c\n1,2,30\n2,5,20\n3,10,10\n")
    at.selectbox(key="data_y_column").set_value("a").run()
    assert not at.exception
    assert "both the column" in at.error[0].value
    assert at.session_state["dataset"].y_column == "b"


def test_rejected_upload_keeps_previous_upload():
    at = upload(new_app(), "three.csv", b"a,b,c\n1,2,30\n2,5,20\n3,10,10\n")
    at.file_uploader(key="data_upload").set_value(("bad.csv", b"x\n1\n", "text/csv")).run()
    assert "bad.csv" in at.error[0].value
    assert at.session_state["dataset"].name == "three.csv"
    assert at.selectbox(key="data_x_column").options == ["a", "b", "c"]


def test_reference_off_says_no_reference_curve():
    at = upload(new_app(), "xy.csv", b"x,y\n1,2\n2,5\n3,10\n")
    at.checkbox(key="data_ref_on").uncheck().run()
    assert at.session_state["dataset"].reference is None
    assert any("No reference curve" in caption.value for caption in at.caption)
    at.session_state["train_drop_last"] = False
    open_page(at, "train")
    train_button(at).click().run()
    wait_for_training(at)
    assert any("No reference curve" in info.value for info in at.info)
    assert "True" not in at.dataframe[0].value.index
    open_page(at, "predict")
    at.button(key="predict_quick_5").click().run()
    assert any("No reference curve" in caption.value for caption in at.caption)


def test_reference_coefficients_are_editable():
    at = upload(new_app(), "xy.csv", b"x,y\n1,2\n2,5\n3,10\n")
    at.number_input(key="data_ref_a").set_value(2.0).run()
    at.number_input(key="data_ref_b").set_value(0.5).run()
    assert at.session_state["dataset"].reference.weights == (2.0, 0.5)
    assert any("y = 2x² + 0.5x" in caption.value for caption in at.caption)


def test_generator_defaults_are_the_lesson_recipe():
    at = new_app()
    sample = at.session_state["dataset"]
    at.radio(key="data_source").set_value("generate").run()
    generated = at.session_state["dataset"]
    assert generated.name == "generated_seed9"
    assert list(generated.x) == pytest.approx(list(sample.x))
    assert list(generated.y) == pytest.approx(list(sample.y), abs=0.006)  # the sample file is rounded


def test_generated_curve_is_the_reference():
    at = new_app()
    at.radio(key="data_source").set_value("generate").run()
    at.number_input(key="data_gen_a").set_value(1.5).run()
    at.radio(key="data_gen_noise").set_value("normal").run()
    at.number_input(key="data_gen_std").set_value(0.0).run()
    dataset = at.session_state["dataset"]
    assert dataset.reference.weights == (1.5, -1.7)
    assert list(dataset.y) == pytest.approx(list(1.5 * dataset.x**2 - 1.7 * dataset.x))
    at = wait_for_training(_train_quick(at))
    table = at.dataframe[0].value
    assert table.loc["True", "w1 (x²)"] == 1.5


def _train_quick(at):
    open_page(at, "train")
    at.number_input(key="train_epochs").set_value(100)
    train_button(at).click().run()
    return at


def test_generator_rejects_bad_range_and_keeps_data():
    at = new_app()
    at.radio(key="data_source").set_value("generate").run()
    at.number_input(key="data_gen_x_max").set_value(-20.0).run()
    assert not at.exception
    assert "x range" in at.error[0].value
    assert at.session_state["dataset"].name == "generated_seed9"
    assert len(at.session_state["dataset"]) == 200


def test_switching_back_to_upload_restores_it():
    at = upload(new_app(), "xy.csv", b"x,y\n1,2\n2,5\n3,10\n")
    at.radio(key="data_source").set_value("sample").run()
    assert at.session_state["dataset"].name == "dataset.csv"
    at.radio(key="data_source").set_value("upload").run()
    assert at.session_state["dataset"].name == "xy.csv"


def test_invalid_limit_variable_is_shown(monkeypatch):
    monkeypatch.setenv("POLYREG_MAX_UPLOAD_MB", "lots")
    load_sample.cache_clear()  # the server's first session reads the sample with this set
    at = new_app()
    assert not at.exception
    assert escape_markdown("POLYREG_MAX_UPLOAD_MB") in at.error[0].value


def test_small_table_offers_one_batch():
    at = upload(new_app(), "three.csv", b"x,y\n1,2\n2,5\n3,10\n")
    open_page(at, "train")
    assert "fewer than the batch size 128" in at.warning[0].value
    at.button(key="train_one_batch").click().run()
    assert at.session_state["train_batch_size"] == 3
    assert not at.warning
    train_button(at).click().run()
    wait_for_training(at)
    assert not at.exception
    assert not at.error
    assert at.session_state["result"].config.batch_size == 3


def test_no_guard_when_drop_last_is_off():
    at = upload(new_app(), "three.csv", b"x,y\n1,2\n2,5\n3,10\n")
    at.session_state["train_drop_last"] = False
    open_page(at, "train")
    assert not at.warning


def test_huge_x_trains_without_exception():
    # x² of 1e20 overflows float32 although x itself fits, so training diverges at once.
    at = upload(new_app(), "huge.csv", b"x,y\n1e20,1\n2e20,2\n3e20,5\n")
    at.session_state["train_drop_last"] = False
    at = wait_for_training(_train_quick(at))
    assert not at.exception
    assert any("diverged at epoch 1" in warning.value for warning in at.warning)


def test_sidebar_shows_new_upload_at_once():
    at = upload(new_app(), "xy.csv", b"x,y\n1,2\n2,5\n3,10\n")
    assert "xy.csv · 3 rows" in at.sidebar.caption[0].value


def test_sidebar_follows_column_and_generator_changes():
    at = new_app()
    at.radio(key="data_source").set_value("generate").run()
    assert escape_markdown("generated_seed9 · 200 rows") in at.sidebar.caption[0].value
    at.number_input(key="data_gen_points").set_value(50).run()
    assert escape_markdown("generated_seed9 · 50 rows") in at.sidebar.caption[0].value


def test_language_switch_keeps_upload():
    at = upload(new_app("ko"), "scores.csv", "공부시간,점수\n1,52\n2,55\n3,61\n".encode("cp949"))
    at.selectbox(key="data_x_column").set_value("점수").run()
    at.selectbox(key="data_y_column").set_value("공부시간").run()
    at.radio(key="lang_choice").set_value("en").run()
    assert "3 rows loaded" in at.success[0].value
    assert at.selectbox(key="data_x_column").value == "점수"
    assert at.session_state["dataset"].x_column == "점수"


def test_upload_text_escaped_for_markdown():
    # A file name, a title row, a column name and a bad cell that would each become a link, an
    # image or bold text if the page rendered them as Markdown.
    content = b"[title](http://example.invalid/t)\nx,y,**note**\n1,2,a\n2,5,b\n3,**x**,c\n4,17,d\n"
    at = upload(new_app(), "![p](http://example.invalid/p).csv", content)
    messages = [e.value for kind in ("success", "info", "caption", "warning") for e in getattr(at, kind)]
    assert any("example.invalid/p" in text for text in messages)  # the name is shown, escaped
    assert any("example.invalid/t" in text for text in messages)  # so is the skipped title
    assert any("\\*\\*x\\*\\*" in text for text in messages)  # and the bad cell
    for text in messages:
        assert "](" not in text
        assert "**x**" not in text
        assert "**note**" not in text
    assert not at.exception


def test_low_row_limit_still_loads_the_sample(monkeypatch):
    # The bundled sample has 200 rows; the limit is for students' files.
    monkeypatch.setenv("POLYREG_MAX_ROWS", "50")
    load_sample.cache_clear()
    at = new_app()
    assert not at.exception
    assert at.session_state["dataset"].name == "dataset.csv"
    too_long = upload(at, "long.csv", b"x,y\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(60)))
    assert "50" in too_long.error[0].value
