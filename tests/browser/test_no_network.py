"""No network: a full round works with loopback only, and the server tries no outside address.

The round runs in a new network namespace (``unshare --net``), where any connection beyond
127.0.0.1 fails at once. A Python audit hook in the server records every address it connects
or sends to and every host name it looks up, so a look-up or call home shows up even though it
cannot succeed there. NOTE: the hook records Python's socket calls only, and a C library that opened
its own socket would go unrecorded, though it would still fail at once in the namespace.
strace would see those too, but under strace the browser's session restarted mid-training.
"""

import json
import os
import shutil
import subprocess
import sys
from ast import literal_eval
from ipaddress import ip_address

import pytest

from tests.conftest import ROOT

ROUND_TIMEOUT_S = 600
LOCAL_NAMES = {None, "", "localhost"}


def require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        message = f"{tool} is missing; install Debian's {package} package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def is_local(target) -> bool:
    """Tell whether an audited socket target stays on this machine."""
    if isinstance(target, tuple):  # (host, port, …) of AF_INET and AF_INET6
        target = target[0]
    if isinstance(target, bytes):
        target = target.decode(errors="replace")
    if target in LOCAL_NAMES:
        return True
    if isinstance(target, str) and target.startswith("/"):  # an AF_UNIX path
        return True
    try:
        address = ip_address(str(target).split("%")[0])
    except ValueError:
        return False  # a host name other than localhost
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def outside_targets(lines: list[str]) -> list[dict]:
    events = [json.loads(line) for line in lines if line.strip()]
    return [e for e in events if not is_local(literal_eval(e["target"]))]


@pytest.mark.parametrize(
    ("target", "local"),
    [
        (("127.0.0.1", 8501), True),
        (("::1", 8501, 0, 0), True),
        (("::ffff:127.0.0.1", 80, 0, 0), True),
        ("localhost", True),
        (None, True),
        ("/run/socket", True),
        (("10.1.2.3", 53), False),
        (("2001:db8::1", 443, 0, 0), False),
        ("example.org", False),
    ],
)
def test_outside_target_detected(target, local):
    # The checker itself must tell outside from local, or an empty result would prove nothing.
    assert is_local(target) is local


@pytest.mark.timeout(ROUND_TIMEOUT_S + 60)
def test_round_with_loopback_only(tmp_path):
    require("unshare", "util-linux")
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    # A non-root user needs a user namespace of its own to create a network namespace.
    unshare = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "--map-root-user"]
    command = [*unshare, "--", sys.executable, "-m", "tests.browser.offline_round", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=ROUND_TIMEOUT_S)
    if done.returncode != 0 and "unshare failed" in done.stderr:
        pytest.fail(f"network namespaces are not permitted here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr[-3000:]

    result = json.loads((tmp_path / "round.json").read_text())
    assert result["interfaces"] == ["lo"]
    assert result["prediction"] == pytest.approx(69.4, abs=1.0)
    # every request of the page went to the app's own origin (no fonts, scripts or beacons elsewhere)
    foreign = [url for url in result["requested"] if not url.startswith((result["url"], "data:", "blob:"))]
    assert foreign == []
    lines = (tmp_path / "sockets.jsonl").read_text().splitlines()
    assert any("127.0.0.1" in line for line in lines)  # the hook saw the server's own loopback traffic
    assert outside_targets(lines) == []
