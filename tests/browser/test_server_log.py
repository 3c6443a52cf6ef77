"""The server log: a caught user error is one line without a traceback; a bug keeps its traceback."""

import re
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from polyreg_core.i18n import t
from tests.browser.conftest import start_server, stop_server
from tests.browser.faulty_streamlit import FAULT_MESSAGE, FAULTY_NAME
from tests.browser.steps import LANG, expect_loaded, nav, no_exception, press_train, upload

FAULTY_LAUNCHER = [sys.executable, str(Path(__file__).with_name("faulty_streamlit.py"))]
LOG_WAIT_S = 30
LOG_LINE_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@pytest.fixture(scope="module")
def logged_server(tmp_path_factory):
    """A server of its own, so the test reads a log that no other test writes to."""
    log_path = tmp_path_factory.mktemp("logged") / "server.log"
    url, process = start_server(log_path, launcher=FAULTY_LAUNCHER)
    yield url, log_path
    stop_server(process)


def wait_for_log(log_path: Path, text: str) -> str:
    deadline = time.monotonic() + LOG_WAIT_S
    while text not in log_path.read_text():
        assert time.monotonic() < deadline, f"{text!r} did not reach the server log"
        time.sleep(0.2)
    return log_path.read_text()


def user_error_lines(log: str, code: str) -> list[str]:
    return [line for line in log.splitlines() if f"user error {code}:" in line]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def test_user_errors_logged_once(logged_server, page_for, tmp_path):
    url, log_path = logged_server
    page = page_for()
    page.goto(url)

    # a bad upload, then two reruns that show its message again
    upload(page, write(tmp_path, "broken.csv", "notes\n1\n2\n"))
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="broken.csv")).to_be_visible()
    wait_for_log(log_path, "user error one_column")
    nav(page, "common.nav_train")
    nav(page, "common.nav_data")
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="broken.csv")).to_be_visible()

    # a setting that cannot train on the data: batch 128 on 3 rows with drop-last on
    upload(page, write(tmp_path, "small.csv", "x,y\n1,2\n2,5\n3,10\n"))
    expect_loaded(page, "small.csv", 3)
    nav(page, "common.nav_train")
    press_train(page)
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="128")).to_be_visible()
    wait_for_log(log_path, "user error no_full_batch")

    log = log_path.read_text()
    no_exception(page)

    for code in ("one_column", "no_full_batch"):
        assert len(user_error_lines(log, code)) == 1, code
    assert "Traceback" not in log
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "user error" in line and i + 1 < len(lines):
            # the next line starts a record of its own (or is Streamlit's plain output)
            assert not lines[i + 1].startswith((" ", "\t")), lines[i + 1]
    assert "file='broken.csv'" in user_error_lines(log, "one_column")[0]
    assert "session=" in user_error_lines(log, "no_full_batch")[0]


def test_bug_logs_traceback(logged_server, page_for, tmp_path):
    url, log_path = logged_server
    page = page_for()
    page.goto(url)
    upload(page, write(tmp_path, FAULTY_NAME, "x,y\n" + "".join(f"{x},{x * x}\n" for x in range(200))))
    expect_loaded(page, FAULTY_NAME, 200)
    nav(page, "common.nav_train")
    press_train(page)

    internal = t("errors.internal_error", LANG)
    expect(page.get_by_test_id("stAlertContentError").filter(has_text=internal)).to_be_visible(timeout=60_000)
    no_exception(page)
    log = wait_for_log(log_path, FAULT_MESSAGE)
    assert re.search(r"training job \d+ failed", log)
    assert "Traceback (most recent call last)" in log
    assert f"RuntimeError: {FAULT_MESSAGE}" in log
    assert FAULT_MESSAGE not in page.inner_text("body")
