"""One train-and-predict round inside a network namespace that has only loopback.

Run by test_no_network.py as ``unshare --net python -m tests.browser.offline_round OUT_DIR``.
It brings ``lo`` up, starts the server with an audit hook that records every socket address
it uses (audited_streamlit.py), drives Chromium through sample data, Train and a prediction for x = 5, and
writes what it saw to OUT_DIR/round.json for the test to judge.
"""

from __future__ import annotations

import fcntl
import json
import socket
import struct
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from polyreg_core.training import TrainConfig
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server
from tests.browser.steps import expect_trained, nav, predict, press_train

# from <linux/sockios.h> and <net/if.h>
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
AUDITED_LAUNCHER = [sys.executable, str(Path(__file__).with_name("audited_streamlit.py"))]


def bring_loopback_up() -> None:
    """Set IFF_UP on ``lo``, as ``ip link set lo up`` does; a new namespace starts with it down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def run_round(url: str) -> tuple[float, list[str]]:
    """Train on the bundled sample and predict x = 5; return the prediction and every URL requested."""
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(60_000)
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        page.goto(url)
        nav(page, "common.nav_train")
        press_train(page)
        expect_trained(page, TrainConfig().epochs)
        prediction = predict(page, 5)
        browser.close()
    return prediction, requested


def main(out_dir: Path) -> None:
    bring_loopback_up()
    socket_log = out_dir / "sockets.jsonl"
    socket_log.touch()
    env = {"POLYREG_SOCKET_LOG": str(socket_log)}
    url, server = start_server(out_dir / "server.log", extra_env=env, launcher=AUDITED_LAUNCHER)
    try:
        prediction, requested = run_round(url)
    finally:
        stop_server(server)
    result = {
        "interfaces": [name for _, name in socket.if_nameindex()],
        "url": url,
        "prediction": prediction,
        "requested": requested,
        "sockets": str(socket_log),
    }
    (out_dir / "round.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
