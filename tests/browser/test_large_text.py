"""Large-text mode in a real browser: no label on the Train page's form is cut short.

Streamlit ends a label that does not fit its column with an ellipsis, so the check is that
no label's text is wider than the box it is drawn in.
"""

import pytest
from playwright.sync_api import Page, expect

from polyreg_core.i18n import t
from tests.browser.steps import nav, no_exception

LABELS = "[data-testid=stForm] :is([data-testid=stCheckbox], [data-testid=stWidgetLabel]) [data-testid=stMarkdownContainer]"
CUT_LABELS = f"() => [...document.querySelectorAll('{LABELS}')].filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.innerText)"


def turn_on_large_text(page: Page, lang: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(t("display.large_text", lang), exact=True).click()
    expect(page.locator("html")).to_have_css("font-size", "22px")  # 137.5 % of 16 px


@pytest.mark.parametrize(("locale", "lang"), [("ko-KR", "ko"), ("en-US", "en")])
def test_form_labels_fit_in_large_text(server, page_for, locale, lang):
    page = page_for(locale)
    page.goto(server)
    turn_on_large_text(page, lang)
    nav(page, "common.nav_train")
    # The form's last checkbox: once it is drawn, so are the inputs and checkboxes above it.
    standardize = page.get_by_test_id("stCheckbox").filter(has_text=t("training.standardize", lang))
    expect(standardize).to_be_visible()
    expect(page.locator(LABELS)).to_have_count(10)
    assert page.evaluate(CUT_LABELS) == []
    no_exception(page)
