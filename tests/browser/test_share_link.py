"""Share links and model downloads in a real browser: a link opened in a fresh browser
context predicts without training, and the CLI predicts with the downloaded model file."""

import json
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_main_flow import nav, no_exception
from tests.conftest import ROOT

# Training 10,000 epochs takes well under a second alone, but a shared 2-core machine under
# load can stretch it and the page's redraw past expect's default of 5 s.
TRAINING_TIMEOUT_MS = 120_000


def train_and_open_predict(page: Page, server: str) -> None:
    page.goto(server)
    # The first run must finish before the sidebar is used, as in the main-flow test.
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart")).to_be_visible()
    nav(page, "Train")
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="Train", exact=True).click()
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text="10,000 epochs")
    expect(done).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    nav(page, "Predict")


def wait_until_idle(page: Page) -> None:
    """Wait for the script run to finish, because a click during a rerun can hit a stale button."""
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=TRAINING_TIMEOUT_MS)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=TRAINING_TIMEOUT_MS)


def first_metric(page: Page) -> float:
    value = page.get_by_test_id("stMetricValue").first
    expect(value).to_have_text(re.compile(r"^-?\d+\.\d{4}$"))
    return float(value.inner_text())


def test_share_link_in_fresh_context(server, page_for, tmp_path):
    page = page_for("en-US")
    train_and_open_predict(page, server)
    page.get_by_role("button", name="Make a share link").click()
    code = page.get_by_test_id("stCode")
    expect(code).to_contain_text("/predict?v=1")
    url = code.inner_text().strip()
    assert url.startswith(server + "/predict?")
    wait_until_idle(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Model (.safetensors)").click()
    model_path = tmp_path / "model.safetensors"
    download.value.save_as(model_path)

    fresh = page_for("ko-KR")
    fresh.goto(url + "&x=5")
    expect(fresh.get_by_text("공유 링크로 받은 모델")).to_be_visible()
    assert first_metric(fresh) == pytest.approx(69.4, abs=1.0)
    expect(fresh.get_by_test_id("stNumberInputField")).to_have_value("5.0000")
    no_exception(fresh)
    fresh.screenshot(path=str(tmp_path / "share-link-ko.png"), full_page=True)

    done = subprocess.run(
        [sys.executable, "-m", "polyreg_core", "predict", str(model_path), "5", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["predictions"][0]["y"] == pytest.approx(69.4, abs=1.0)


@pytest.mark.parametrize(
    "query",
    ["w=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "v=1&w=1e999,1&b=0&degree=2", "x=%21%5Bx%5D(http%3A%2F%2Fexample.invalid%2Fp.png)"],
    ids=["script", "overflow", "markdown-image"],
)
def test_hostile_link_shows_message(server, page_for, query):
    page = page_for("en-US")
    page.goto(f"{server}/predict?{query}")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("The share link could not be used")
    expect(page.locator("img[src*='example.invalid']")).to_have_count(0)
    no_exception(page)
