"""The benchmarks under bench/ still run and print their figures, on small sizes.

They are not timed here, because the machines are shared. A bench that breaks after a change
to the code it measures fails here instead of on the day its figures are next recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def run_bench(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_train_bench_reports_both_ratios():
    out = run_bench(
        "bench/train_bench.py", "--runs", "1", "--lesson-runs", "1", "--epochs", "20",
        "--big-rows", "2000", "--big-epochs", "1", "--big-runs", "1",
    )  # fmt: skip
    assert "(c - b)/b = " in out
    assert "a/b = " in out
    assert "steps/s" in out


def test_parse_bench_reads_every_usable_row():
    out = run_bench("bench/parse_bench.py", "--rows", "5000", "--repeats", "1", "--bad-every", "1000")
    assert "rows: 5,000" in out
    assert "usable rows: 4,995" in out  # one text cell in y every 1,000 rows is dropped


def test_learn_bench_prints_each_figure():
    out = run_bench("-m", "bench.learn_bench")
    assert "exact optimum" in out
    assert "landscape grid" in out
    assert "replay tick" in out
