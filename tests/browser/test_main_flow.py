"""The main job end to end in a real browser: sample data, train, predict; Korean and English."""

import re

import pytest
from playwright.sync_api import Page, expect

TEXT = {
    "ko-KR": {"data": "데이터", "train": "학습", "predict": "예측", "done": "10,000 에폭", "quick": "x = 5"},
    "en-US": {"data": "Data", "train": "Train", "predict": "Predict", "done": "10,000 epochs", "quick": "x = 5"},
}


def nav(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_train_and_predict(server, page_for, locale, tmp_path):
    text = TEXT[locale]
    page = page_for(locale)
    page.goto(server)
    expect(page.get_by_role("heading", name=text["data"], exact=True)).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible()
    no_exception(page)

    nav(page, text["train"])
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=text["train"], exact=True).click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=text["done"])).to_be_visible()
    no_exception(page)
    page.screenshot(path=str(tmp_path / f"train-{locale}.png"), full_page=True)

    nav(page, text["predict"])
    page.get_by_role("button", name=text["quick"], exact=True).click()
    value = page.get_by_test_id("stMetricValue").first
    expect(value).to_have_text(re.compile(r"^\d+\.\d{4}$"))
    assert float(value.inner_text()) == pytest.approx(69.4, abs=1.0)
    no_exception(page)
