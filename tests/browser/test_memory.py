"""Server memory over many trainings in one browser session: the growth must stay under 50 MB."""

import psutil
import pytest

from polyreg_core.training import TrainConfig
from tests.browser.conftest import start_server, stop_server
from tests.browser.steps import expect_trained, nav, no_exception, press_train

WARM_UP_RUNS = 3  # the first runs fill caches (torch, plotly, the allocator's arenas) once
MEASURED_RUNS = 50
MAX_GROWTH_MB = 50


def rss_mb(process: psutil.Process) -> float:
    tree = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in tree) / 2**20


def train_once(page, epochs: int) -> None:
    # Each run gets its own epoch count, so its success message differs from the last one.
    page.get_by_test_id("stNumberInputField").first.fill(str(epochs))
    press_train(page)
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
