"""User steps in a real browser, shared by the browser tests; labels come from the i18n catalog."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from polyreg_core.i18n import t

LANG = "en"  # the tests open pages with the en-US locale
TRAIN_TIMEOUT_MS = 180_000
METRIC_VALUE = re.compile(r"^-?\d+\.\d{4}$")  # how the Predict page prints a metric
STEP_TIMEOUT_MS = 30_000

# expect() waits 5 s by default, apart from the context's 30 s for actions; a shared 2-core
# machine running a server and Chromium can take longer to redraw after an upload.
expect.set_options(timeout=STEP_TIMEOUT_MS)


def nav(page: Page, key: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(key, LANG), exact=True).click()
    expect(page.get_by_role("heading", name=t(key.replace("common.nav_", "") + ".title", LANG), exact=True)).to_be_visible()


def upload(page: Page, path: Path) -> None:
    """Choose "Upload" on the Data page and upload ``path``; the caller checks what the page shows."""
    nav(page, "common.nav_data")
    page.get_by_test_id("stRadio").get_by_text(t("data.source_upload", LANG), exact=True).click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_test_id("stFileChipName").filter(has_text=path.name)).to_be_visible()


def expect_loaded(page: Page, name: str, rows: int) -> None:
    loaded = t("data.loaded", LANG, name=name, rows=rows)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=loaded)).to_be_visible()


def press_train(page: Page) -> None:
    """Press Train on the Train page without waiting for the result."""
    start = page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=t("train.start", LANG), exact=True)
    expect(start).to_be_enabled()
    start.click()


def expect_trained(page: Page, epochs: int) -> None:
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"{epochs:,}")
    expect(done).to_be_visible(timeout=TRAIN_TIMEOUT_MS)


def predict(page: Page, x: int) -> float:
    """Click the quick-input button for ``x`` on the Predict page and read the model's answer."""
    nav(page, "common.nav_predict")
    page.get_by_role("button", name=t("predict.quick_button", LANG, x=x), exact=True).click()
    expect(page.get_by_role("heading", name=f"x = {x}")).to_be_visible()
    value = page.get_by_test_id("stMetricValue").first
    expect(value).to_have_text(METRIC_VALUE)
    return float(value.inner_text())


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
