"""No network: a full round works with loopback only, and the server tries no outside address.

The round runs in a new network namespace (``unshare --net``), where any connection beyond
127.0.0.1 fails at once. strace records every address the server connects to, so a look-up
(glibc's resolver connects its UDP socket) or call home shows up even though it cannot succeed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from ipaddress import ip_address

import pytest

from tests.conftest import ROOT

ROUND_TIMEOUT_S = 600
ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


def require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        message = f"{tool} is missing; install Debian's {package} package (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def outside_addresses(trace: str) -> list[str]:
    """Return the trace lines that name an address other than loopback or "any"."""
    lines = []
    for line in trace.splitlines():
        for match in ADDRESS.finditer(line):
            address = ip_address(match.group(1) or match.group(2))
            if getattr(address, "ipv4_mapped", None):
                address = address.ipv4_mapped
            if not (address.is_loopback or address.is_unspecified):
                lines.append(line)
    return lines


def test_outside_address_detected():
    # The checker itself must see an attempt, or the round's empty list would prove nothing.
    trace = (
        '7 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.1.2.3")}, 16) = -1 ENETUNREACH\n'
        '7 connect(4, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n'
        '7 connect(5, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr)}, 28) = -1\n'
        '7 connect(6, {sa_family=AF_INET6, sin6_port=htons(80), inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr)}, 28) = 0\n'
    )
    found = outside_addresses(trace)
    assert len(found) == 2
    assert "10.1.2.3" in found[0]
    assert "2001:db8::1" in found[1]


@pytest.mark.timeout(ROUND_TIMEOUT_S + 60)
def test_round_with_loopback_only(tmp_path):
    require("unshare", "util-linux")
    require("strace", "strace")
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
    trace = (tmp_path / "strace.log").read_text()
    assert "127.0.0.1" in trace  # the trace did record the server's own loopback traffic
    assert outside_addresses(trace) == []
