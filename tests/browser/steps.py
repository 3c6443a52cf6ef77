"""User steps in a real browser, shared by the browser tests.

The steps find pages by their URL path and controls by test id where they can, so that they
work in either language. NOTE: under heavy load a page was seen to switch to Korean during a
training, and these steps keep going so that each test checks what it is about.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from polyreg_core.i18n import t

LANG = "en"  # the tests open pages with the en-US locale
TRAIN_TIMEOUT_MS = 180_000
METRIC_VALUE = re.compile(r"^-?\d+\.\d{4}$")  # how the Predict page prints a metric
STEP_TIMEOUT_MS = 30_000

# expect() waits 5 s by default, apart from the context's 30 s for actions. A shared 2-core
# machine running a server and Chromium can take longer than that to redraw after an upload.
expect.set_options(timeout=STEP_TIMEOUT_MS)


def nav(page: Page, key: str) -> None:
    """Open a page through its sidebar link, found by URL path (data, train or predict)."""
    path = key.removeprefix("common.nav_")
    sidebar = page.get_by_test_id("stSidebarNav")
    # the default page's link points at the app's root URL, the others end in their path
    link = sidebar.get_by_role("link").first if path == "data" else sidebar.locator(f'a[href$="/{path}"]')
    link.click()
    expect(page).to_have_url(re.compile(r"/(data)?$" if path == "data" else rf"/{path}$"))


def upload(page: Page, path: Path) -> None:
    """Choose "Upload" on the Data page and upload ``path``; the caller checks what the page shows."""
    nav(page, "common.nav_data")
    # the Data page's source radio: sample, then upload
    page.get_by_test_id("stMain").get_by_test_id("stRadio").get_by_role("radio").nth(1).check(force=True)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_test_id("stFileChipName").filter(has_text=path.name)).to_be_visible()


def expect_loaded(page: Page, name: str, rows: int) -> None:
    # "{name}: {rows} rows loaded." in English, "{name}: {rows}행을 불러왔습니다." in Korean
    loaded = re.compile(rf"{re.escape(name)}: {rows}\D")
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=loaded)).to_be_visible()


def press_train(page: Page) -> None:
    """Press Train on the Train page without waiting for the result."""
    start = page.get_by_test_id("stFormSubmitButton").get_by_role("button")
    expect(start).to_be_enabled()
    start.click()


def expect_trained(page: Page, epochs: int) -> None:
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"{epochs:,}")
    expect(done).to_be_visible(timeout=TRAIN_TIMEOUT_MS)


def predict(page: Page, x: int) -> float:
    """Click the quick-input button for ``x`` on the Predict page and return the model's prediction."""
    nav(page, "common.nav_predict")
    page.get_by_role("button", name=t("predict.quick_button", LANG, x=x), exact=True).click()
    expect(page.get_by_role("heading", name=f"x = {x}")).to_be_visible()
    value = page.get_by_test_id("stMetricValue").first
    expect(value).to_have_text(METRIC_VALUE)
    return float(value.inner_text())


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
