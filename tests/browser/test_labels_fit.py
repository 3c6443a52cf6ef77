"""Every widget label fits its box, on every page, in both languages, normal and large text.

Streamlit ends a label that does not fit its column with an ellipsis, so the check is that no
label's text is wider than the box it is drawn in. The window is 1024×768, a common projector
size; large-text mode makes the text 137.5 % larger.
"""

import pytest
from playwright.sync_api import Page, expect

from polyreg_core.i18n import t
from polyreg_core.training import TrainConfig
from tests.browser.steps import expect_trained, nav, no_exception, press_train

WIDGETS = "[data-testid=stCheckbox], [data-testid=stWidgetLabel], [data-testid=stButton], [data-testid=stMetric]"
LABELS = f":is({WIDGETS}) [data-testid=stMarkdownContainer]"  # a metric's value is one too
CUT_LABELS = f"() => [...document.querySelectorAll('{LABELS}')].filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.innerText)"
# The Data page comes last: its generator replaces the data that the model was trained on.
PAGES = {"train": "train.title", "learn": "learn.title", "predict": "predict.title", "data": "data.title"}


def settle(page: Page, title_key: str, lang: str) -> None:
    """Wait until the page's title is shown and its script has finished running."""
    expect(page.get_by_role("heading", name=t(title_key, lang), exact=True)).to_be_visible()
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def cut_labels(page: Page, lang: str) -> dict[str, list[str]]:
    cut = {}
    for name, title_key in PAGES.items():
        nav(page, f"common.nav_{name}")
        settle(page, title_key, lang)
        if name == "data":  # the generator has the page's most widgets, four to a row
            page.get_by_test_id("stMain").get_by_test_id("stRadio").get_by_role("radio").nth(2).check(force=True)
            expect(page.get_by_text(t("data.generator_title", lang), exact=True)).to_be_visible()
            settle(page, title_key, lang)
        if name == "predict":  # the four metrics of one prediction, with the widest value
            page.get_by_role("button", name=t("predict.quick_button", lang, x=11), exact=True).click()
            expect(page.get_by_test_id("stMetricValue")).to_have_count(4)
            settle(page, title_key, lang)
        cut[name] = page.evaluate(CUT_LABELS)
        no_exception(page)
    return cut


@pytest.mark.parametrize(("locale", "lang"), [("ko-KR", "ko"), ("en-US", "en")])
def test_labels_fit_in_both_text_sizes(server, page_for, locale, lang):
    page = page_for(locale, viewport={"width": 1024, "height": 768})
    page.goto(server)
    settle(page, "data.title", lang)
    # Trained first, so that the Learn and Predict pages show all their controls.
    nav(page, "common.nav_train")
    press_train(page)
    expect_trained(page, TrainConfig().epochs)
    assert cut_labels(page, lang) == dict.fromkeys(PAGES, [])

    page.get_by_test_id("stSidebar").get_by_text(t("display.large_text", lang), exact=True).click()
    expect(page.locator("html")).to_have_css("font-size", "22px")  # 137.5 % of 16 px
    assert cut_labels(page, lang) == dict.fromkeys(PAGES, [])
