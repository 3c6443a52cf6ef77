"""The Learn page's replay and the diverging learning-rate preset in a real browser."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_main_flow import nav, no_exception

EPOCH_LINE = re.compile(r"^(?:epoch|에폭) ([\d,]+) ·")
TRAINING_TIMEOUT_MS = 120_000  # a shared 2-core machine can take far longer than usual


def shown_epoch(page: Page) -> int:
    line = page.get_by_test_id("stText").filter(has_text=EPOCH_LINE).first.inner_text()
    return int(EPOCH_LINE.match(line).group(1).replace(",", ""))


def train_with_defaults(page: Page, train_label: str, done_text: str) -> None:
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=train_label, exact=True).click()
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text=done_text)
    expect(done).to_be_visible(timeout=TRAINING_TIMEOUT_MS)


def open_app(page: Page, server: str, data_title: str) -> None:
    """Open the app and wait for its first run, which reads the browser's language."""
    page.goto(server)
    expect(page.get_by_role("heading", name=data_title, exact=True)).to_be_visible()


def test_replay_moves_through_the_run(server, page_for):
    page = page_for("en-US")
    open_app(page, server, "Data")
    nav(page, "Train")
    train_with_defaults(page, "Train", "10,000 epochs")
    nav(page, "See the learning")
    expect(page.get_by_role("heading", name="Where SGD is heading")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(5)
    assert shown_epoch(page) == 10_000

    page.get_by_role("button", name="Play").click()
    # Play at the last epoch starts over from the first, then walks forward by itself.
    expect(page.get_by_test_id("stText").filter(has_text=re.compile(r"^epoch 1 ·"))).to_be_visible()
    expect(page.get_by_test_id("stText").filter(has_text=re.compile(r"^epoch [1-9]\d{2,3} ·"))).to_be_visible()
    first = shown_epoch(page)
    page.wait_for_timeout(1500)
    later = shown_epoch(page)
    assert later > first, "the replay did not move on by itself"
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    page.wait_for_timeout(1000)  # the rest of the run that drew the button
    paused = shown_epoch(page)
    page.wait_for_timeout(1500)
    assert shown_epoch(page) == paused
    no_exception(page)


def test_diverging_preset_explains_itself(server, page_for):
    page = page_for("ko-KR")
    open_app(page, server, "데이터")
    nav(page, "학습")
    page.get_by_role("button", name=re.compile(r"^1\.1× = 0\.00055")).click()
    expect(page.get_by_test_id("stNumberInputField").nth(1)).to_have_value("0.000550")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="학습", exact=True).click()
    explanation = page.get_by_test_id("stAlertContentWarning").filter(has_text="발산한 이유")
    expect(explanation).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="에폭에서 비용이 발산했습니다")).to_be_visible()
    no_exception(page)
    nav(page, "학습 들여다보기")
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="발산한 이유")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    no_exception(page)
