"""Server memory over many trainings in one browser session: the growth must stay under 50 MB."""

import psutil
import pytest
from playwright.sync_api import expect

from polyreg_core.i18n import t
from polyreg_core.training import TrainConfig
from tests.browser.conftest import start_server, stop_server
from tests.browser.steps import LANG, expect_trained, nav, no_exception

WARM_UP_RUNS = 3  # the first runs fill caches (torch, plotly, the allocator's arenas) once
MEASURED_RUNS = 50
MAX_GROWTH_MB = 50


def rss_mb(process: psutil.Process) -> float:
    tree = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in tree) / 2**20


def train_once(page, epochs: int) -> None:
    # After a run the form's button continues that run; Reset first, so each run starts fresh
    # and the history does not grow from one run to the next.
    reset = page.get_by_role("button", name=t("training.reset", LANG), exact=True)
    if reset.count():
        reset.click()
    start = page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=t("train.start", LANG), exact=True)
    expect(start).to_be_enabled()
    # Each run gets its own epoch count, so its success message differs from the last one.
    page.get_by_test_id("stNumberInputField").first.fill(str(epochs))
    start.click()
    expect_trained(page, epochs)


@pytest.fixture
def own_server(tmp_path):
    """A fresh server, so that no other test's sessions count in its memory."""
    url, process = start_server(tmp_path / "server.log")
    yield url, psutil.Process(process.pid)
    stop_server(process)


@pytest.mark.timeout(1800)
def test_fifty_trainings_memory_growth(own_server, page_for):
    url, server = own_server
    page = page_for()
    page.goto(url)
    nav(page, "common.nav_train")
    epochs = TrainConfig().epochs

    for i in range(WARM_UP_RUNS):
        train_once(page, epochs + i)
    before_mb = rss_mb(server)
    for i in range(MEASURED_RUNS):
        train_once(page, epochs + WARM_UP_RUNS + i)
    after_mb = rss_mb(server)

    no_exception(page)
    print(f"server RSS {before_mb:.0f} MB -> {after_mb:.0f} MB over {MEASURED_RUNS} trainings")
    assert after_mb - before_mb < MAX_GROWTH_MB
