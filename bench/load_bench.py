"""Classroom load: K browser sessions upload their own data, press Train together and predict.

    python bench/load_bench.py                      # K = 1, 5, 10, 20 against one app process
    python bench/load_bench.py --via nginx          # the same through nginx and two app processes
    python bench/load_bench.py --sessions 3 --json out.json

For each K it starts fresh servers on loopback ports and one headless Chromium with K
contexts. Every session uploads a CSV generated with its own true coefficients, trains with
the lesson's defaults (all sessions press Train at the same moment), requests x = 5 and
checks the prediction against the least-squares optimum of its own data (numpy.polyfit). It
prints, per K: sessions completed, errors, p50 and p95 seconds from pressing Train to the
result, the peak resident memory of the app processes, the CPU seconds each used during the
round and, behind nginx, each process's open connections at the moment every session is ready
to train (one websocket per session, so it shows how the sessions were spread).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import AppSet, RssSampler, start_behind_nginx, start_direct  # noqa: E402
from polyreg_core.data import SampleSpec, sample_csv  # noqa: E402
from polyreg_core.i18n import t  # noqa: E402
from polyreg_core.training import TrainConfig  # noqa: E402
# The browser tests' Chromium and its flags, which keep it off the network.
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LANG = "en"
PREDICT_X = 5
# SGD from the lesson's settings ends about 0.25 below the exact optimum at x = 5 (its bias
# converges slowly); neighbouring sessions' optima lie 7.25 apart, so 1.0 tells them apart.
TOLERANCE = 1.0
STEP_TIMEOUT_MS = 120_000
FOUR_DECIMALS = re.compile(r"^-?\d+\.\d{4}$")  # how the Predict page prints a metric


@dataclass
class Session:
    """One simulated student: the data it uploads and what it saw."""

    index: int
    csv_path: Path
    expected: float  # the least-squares optimum's value at PREDICT_X
    train_s: float | None = None
    prediction: float | None = None
    error: str | None = None

    @property
    def completed(self) -> bool:
        return self.error is None and self.prediction is not None


def make_sessions(k: int, directory: Path) -> list[Session]:
    """Write one CSV per session, each drawn around different true coefficients."""
    sessions = []
    for i in range(k):
        spec = SampleSpec(a=1.0 + 0.25 * i, b=-2.0 + 0.2 * i, seed=100 + i)
        text = sample_csv(spec)
        path = directory / f"student-{i + 1:02d}.csv"
        path.write_text(text)
        rows = np.loadtxt(path, delimiter=",", skiprows=1)  # (n_samples, 2)
        c2, c1, c0 = np.polyfit(rows[:, 0], rows[:, 1], 2)
        sessions.append(Session(i, path, float(c2 * PREDICT_X**2 + c1 * PREDICT_X + c0)))
    return sessions


async def nav(page, key: str) -> None:
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=t(key, LANG), exact=True).click()


async def fail_on_error_elements(page, step: str) -> None:
    for test_id in ("stException", "stAlertContentError"):
        shown = page.get_by_test_id(test_id)
        if await shown.count():
            raise RuntimeError(f"{step}: the page shows {test_id}: {(await shown.first.inner_text())[:200]}")


async def run_session(
    browser, url: str, session: Session, all_ready: asyncio.Barrier, on_ready, train_timeout_s: float
) -> None:
    """Upload, train (after every session is ready), predict; store the outcome in ``session``."""
    from playwright.async_api import expect

    # expect() has its own 5 s default, apart from the context's timeout for actions.
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    context = await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = await context.new_page()
        await page.goto(url)
        await page.get_by_test_id("stRadio").get_by_text(t("data.source_upload", LANG), exact=True).click()
        await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(session.csv_path))
        loaded = t("data.loaded", LANG, name=session.csv_path.name, rows=SampleSpec().n_points, x="x", y="y")
        await expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=loaded)).to_be_visible()
        await nav(page, "common.nav_train")
        start = page.get_by_test_id("stFormSubmitButton").get_by_role("button", name=t("train.start", LANG), exact=True)
        await expect(start).to_be_enabled()
    except Exception as exc:
        session.error = f"set-up: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    # Every session waits here, failed or not, so the barrier always opens.
    if await all_ready.wait() == 0:
        on_ready()
    if session.error:
        await context.close()
        return

    try:
        started = time.perf_counter()
        await start.click()
        done = page.get_by_test_id("stAlertContentSuccess").filter(has_text=f"{TrainConfig().epochs:,}")
        await expect(done).to_be_visible(timeout=train_timeout_s * 1000)
        session.train_s = time.perf_counter() - started
        await fail_on_error_elements(page, "train")

        await nav(page, "common.nav_predict")
        await page.get_by_role("button", name=t("predict.quick_button", LANG, x=PREDICT_X), exact=True).click()
        value = page.get_by_test_id("stMetricValue").first
        await expect(value).to_have_text(FOUR_DECIMALS)
        session.prediction = float(await value.inner_text())
        await fail_on_error_elements(page, "predict")
        if abs(session.prediction - session.expected) > TOLERANCE:
            session.error = f"predicted {session.prediction:.4f}, its own data's optimum is {session.expected:.4f}"
    except Exception as exc:
        session.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        await context.close()


async def run_round(url: str, sessions: list[Session], on_ready, train_timeout_s: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            barrier = asyncio.Barrier(len(sessions))
            await asyncio.gather(*(run_session(browser, url, s, barrier, on_ready, train_timeout_s) for s in sessions))
        finally:
            await browser.close()


def check_distinct(sessions: list[Session]) -> None:
    """Flag a prediction that lies nearer another session's optimum than its own (a mix-up)."""
    expected = np.array([s.expected for s in sessions])
    for s in sessions:
        if s.completed and int(np.argmin(np.abs(expected - s.prediction))) != s.index:
            s.error = f"predicted {s.prediction:.4f}, nearer another session's data than its own"


@dataclass
class Row:
    """One line of the table: the outcome of K sessions."""

    sessions: int
    completed: int
    errors: int
    p50_s: float
    p95_s: float
    peak_rss_mb: float
    wall_s: float
    connections: list[int]  # per app process when all were ready; behind nginx, the spread
    cpu_s: list[float]  # CPU seconds each app process used during the round


def measure(k: int, via: str, train_timeout_s: float) -> tuple[Row, list[Session]]:
    with tempfile.TemporaryDirectory(prefix=f"polyreg-load-{k}-") as tmp:
        workdir = Path(tmp)
        sessions = make_sessions(k, workdir)
        app_set: AppSet = start_behind_nginx(workdir) if via == "nginx" else start_direct(workdir)
        try:
            started = time.perf_counter()
            with RssSampler(app_set.apps) as sampler:
                asyncio.run(run_round(app_set.url, sessions, sampler.count_connections, train_timeout_s))
            wall_s = time.perf_counter() - started
        finally:
            app_set.close()
    check_distinct(sessions)
    times = [s.train_s for s in sessions if s.completed]
    row = Row(
        sessions=k,
        completed=sum(s.completed for s in sessions),
        errors=sum(not s.completed for s in sessions),
        p50_s=float(np.percentile(times, 50)) if times else float("nan"),
        p95_s=float(np.percentile(times, 95)) if times else float("nan"),
        peak_rss_mb=sampler.peak_bytes / 2**20,
        wall_s=wall_s,
        connections=sampler.connections,
        cpu_s=sampler.cpu_s,
    )
    return row, sessions


def markdown_table(rows: list[Row]) -> str:
    # Connected straight to one process, Chromium keeps spare keep-alive connections open, so
    # the count means nothing there. Behind nginx, which opens one per request, it shows the spread.
    spread = any(len(r.connections) > 1 for r in rows)
    head = "| K | completed | errors | Train→result p50 (s) | p95 (s) | server peak RSS (MB) | round (s) | server CPU (s) |"
    lines = [head + (" connections per process |" if spread else ""), "| ---: " * (9 if spread else 8) + "|"]
    for r in rows:
        cpu = " / ".join(f"{c:.0f}" for c in r.cpu_s)
        line = f"| {r.sessions} | {r.completed} | {r.errors} | {r.p50_s:.2f} | {r.p95_s:.2f} | {r.peak_rss_mb:.0f} | {r.wall_s:.1f} | {cpu} |"
        lines.append(line + (" " + " / ".join(str(n) for n in r.connections) + " |" if spread else ""))
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20], help="values of K (default: 1 5 10 20)")
    parser.add_argument(
        "--via", choices=["direct", "nginx"], default="direct", help="one app process, or two behind nginx (default: direct)"
    )
    parser.add_argument(
        "--train-timeout", type=float, default=300.0, help="seconds a session waits for its result (default: 300)"
    )
    parser.add_argument("--json", type=Path, help="also write every row and session outcome to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows, report = [], []
    for k in args.sessions:
        print(f"K = {k} ({args.via}) …", file=sys.stderr, flush=True)
        try:
            row, sessions = measure(k, args.via, args.train_timeout)
        except Exception:
            traceback.print_exc()
            return 1
        for s in sessions:
            if s.error:
                print(f"  session {s.index + 1}: {s.error}", file=sys.stderr)
        rows.append(row)
        report.append({"row": asdict(row), "sessions": [{**asdict(s), "csv_path": s.csv_path.name} for s in sessions]})
    print(f"Classroom load, {args.via}: one headless Chromium, K contexts, lesson defaults, x = {PREDICT_X}")
    print(markdown_table(rows))
    if args.json:
        args.json.write_text(json.dumps({"via": args.via, "results": report}, indent=2))
    return 0 if all(r.errors == 0 for r in rows) else 2


if __name__ == "__main__":
    sys.exit(main())
