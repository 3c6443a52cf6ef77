"""Stop, Continue, Reset, divergence and the training queue in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import start_server, stop_server
from tests.browser.test_main_flow import nav, no_exception

LONG_EPOCHS = "1000000"
# A shared machine can be slow to redraw; these waits bound a hang, they time nothing.
expect.set_options(timeout=30_000)


def set_number(page: Page, label: str, value: str) -> None:
    field = page.get_by_role("spinbutton", name=label, exact=True)
    field.fill(value)
    field.press("Tab")


def submit(page: Page, name: str) -> None:
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=name, exact=True).click()


def open_train_page(page: Page, url: str, data: str = "Data", train: str = "Train") -> None:
    page.goto(url)
    # The first run sets the language from the browser; navigating before it ends races it.
    expect(page.get_by_role("heading", name=data, exact=True)).to_be_visible()
    nav(page, train)
    expect(page.get_by_role("heading", name=train, exact=True)).to_be_visible()


def start_long_run(page: Page) -> None:
    set_number(page, "Epochs", LONG_EPOCHS)
    submit(page, "Train")
    expect(page.get_by_test_id("stProgress")).to_contain_text(re.compile(r"epoch [\d,]+ of 1,000,000"))


def stop_if_running(page: Page) -> None:
    """Stop a run a failed test left behind, because it would slow every later test."""
    for name in ("Stop", "중지"):
        button = page.get_by_role("button", name=name, exact=True)
        if button.count():
            button.click()


@pytest.fixture
def page(server, page_for) -> Page:
    page = page_for("en-US")
    open_train_page(page, server)
    yield page
    stop_if_running(page)


def test_stop_continue_reset(page):
    start_long_run(page)
    expect(page.get_by_role("spinbutton", name="Epochs", exact=True)).to_be_disabled()
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible()

    page.get_by_role("button", name="Stop", exact=True).click()
    stopped = page.get_by_test_id("stAlertContentInfo").filter(has_text="Stopped after epoch")
    expect(stopped).to_be_visible()
    stopped_at = int(re.search(r"epoch ([\d,]+)", stopped.inner_text()).group(1).replace(",", ""))
    assert 0 < stopped_at < 1_000_000
    expect(page.get_by_role("spinbutton", name="Epochs", exact=True)).to_be_enabled()
    no_exception(page)

    set_number(page, "Epochs", "500")
    submit(page, "Continue")
    end = stopped_at + 500
    expect(page.get_by_text(f"Continued from epoch {stopped_at:,} to epoch {end:,}.")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"Trained {end:,} epochs")).to_be_visible()
    no_exception(page)

    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_text("The model was reset.")).to_be_visible()
    expect(page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="Train", exact=True)).to_be_visible()
    submit(page, "Train")
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="Trained 500 epochs")).to_be_visible()
    no_exception(page)


def test_language_switch_keeps_run_going(page):
    start_long_run(page)
    page.get_by_test_id("stSidebar").get_by_text("한국어").click()
    expect(page.get_by_test_id("stProgress")).to_contain_text("학습 중")
    page.get_by_role("button", name="중지", exact=True).click()
    expect(page.get_by_test_id("stAlertContentInfo").filter(has_text="에폭에서 중지했습니다")).to_be_visible()
    no_exception(page)


@pytest.mark.parametrize(("locale", "texts"), [
    ("en-US", ["diverged at epoch 3", "0.0005", "standardisation"]),
    ("ko-KR", ["3 에폭에서 비용이 발산", "0.0005", "표준화"]),
])  # fmt: skip
def test_divergence_is_explained(server, page_for, locale, texts):
    english = locale == "en-US"
    page = page_for(locale)
    open_train_page(page, server, "Data" if english else "데이터", "Train" if english else "학습")
    set_number(page, "Learning rate" if english else "학습률", "0.01")
    submit(page, "Train" if english else "학습")
    alert = page.get_by_test_id("stAlertContentWarning").filter(has_text=texts[0])
    for text in texts:
        expect(alert).to_contain_text(text)
    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    assert not re.search(r"\b(NaN|nan|inf)\b", table.inner_text())
    no_exception(page)


@pytest.fixture
def one_slot_server(tmp_path):
    url, process = start_server(tmp_path / "streamlit.log", {"POLYREG_MAX_TRAININGS": "1"})
    yield url
    stop_server(process)


def test_second_training_waits_then_starts(one_slot_server, page_for):
    first, second = page_for("en-US"), page_for("en-US")
    open_train_page(first, one_slot_server)
    open_train_page(second, one_slot_server)
    start_long_run(first)

    submit(second, "Train")
    waiting = second.get_by_test_id("stAlertContentInfo").filter(has_text="Waiting for a free training slot")
    expect(waiting).to_contain_text("1 of 1 trainings are running")
    expect(second.get_by_role("spinbutton", name="Epochs", exact=True)).to_be_disabled()

    stop_if_running(first)
    expect(second.get_by_test_id("stAlertContentSuccess").filter(has_text="Trained 10,000 epochs")).to_be_visible()
    expect(first.get_by_test_id("stAlertContentInfo").filter(has_text="Stopped after epoch")).to_be_visible()
    no_exception(first)
    no_exception(second)
