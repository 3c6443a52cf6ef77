"""The classroom load benchmark runs end to end on a small K, directly and through nginx.

The figures in docs/performance.md come from K = 1, 5, 10 and 20 (about 10 minutes a mode);
here K is small so that a change which breaks the benchmark shows up in ``make test``. No
timing is asserted, only that every session got its own data's prediction.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run_load_bench(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, "bench/load_bench.py", *args, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=280, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "| K | completed | errors |" in result.stdout
    return json.loads(out.read_text())


def assert_every_session_right(report: dict, k: int) -> dict:
    (round_,) = report["results"]
    row = round_["row"]
    assert (row["sessions"], row["completed"], row["errors"]) == (k, k, 0)
    for session in round_["sessions"]:
        assert session["error"] is None
        assert abs(session["prediction"] - session["expected"]) <= 1.0
    # Different true coefficients per session, so a mixed-up prediction could not pass above.
    assert len({round(s["expected"], 2) for s in round_["sessions"]}) == k
    return row


@pytest.mark.timeout(300)
def test_direct_round_predicts_own_data(tmp_path):
    row = assert_every_session_right(run_load_bench(tmp_path, "--sessions", "2"), 2)
    assert len(row["connections"]) == 1
    assert row["connections"][0] >= 2  # one websocket per session


@pytest.mark.timeout(300)
def test_nginx_round_keeps_sessions_apart(tmp_path):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does it)")
    row = assert_every_session_right(run_load_bench(tmp_path, "--via", "nginx", "--sessions", "4"), 4)
    # Two app processes; together they hold every session's websocket. An upload or a rerun
    # that reached the other process would have lost its session and failed above.
    assert len(row["connections"]) == 2
    assert sum(row["connections"]) >= 4
