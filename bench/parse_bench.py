"""Time parsing and validating a 1,000,000-row CSV: python bench/parse_bench.py [--rows N] [--repeats N]

Writes a lesson-like table (x with 6 decimals, y with 2) into a temporary folder, then runs
``read_table`` and ``to_dataset`` on its bytes several times and prints the median. Reading
the file from disk is not timed: an upload arrives as bytes in memory.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from polyreg_core.tables import Limits, read_table, to_dataset


def write_table(path: Path, rows: int, bad_every: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-10, 10, rows)
    y = 3.1 * x**2 - 1.7 * x + rng.uniform(0.01, 0.99, rows)
    frame = pd.DataFrame({"x": np.round(x, 6), "y": np.round(y, 2)})
    if bad_every:
        # A text cell every N rows sends the y column through the slower text path.
        frame["y"] = frame["y"].astype(object)
        frame.loc[:: bad_every, "y"] = "n/a"
    frame.to_csv(path, index=False)


def time_parse(content: bytes, limits: Limits) -> tuple[float, int]:
    start = time.perf_counter()
    table = read_table(content, "bench.csv", limits)
    dataset = to_dataset(table, *table.default_columns())
    return time.perf_counter() - start, len(dataset)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated CSV (default: 1000000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the median is reported (default: 5)")
    parser.add_argument("--bad-every", type=int, default=0, help="put a text cell in y every N rows (default: none)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        write_table(path, args.rows, args.bad_every)
        content = path.read_bytes()
    limits = Limits(max_upload_mb=max(50, len(content) / 2**20 + 1), max_rows=args.rows)

    time_parse(content, limits)  # warm-up: imports and first-call costs
    runs = [time_parse(content, limits) for _ in range(args.repeats)]
    seconds = [s for s, _ in runs]
    print(f"rows: {args.rows:,} ({len(content) / 2**20:.1f} MB), usable rows: {runs[0][1]:,}, bad cell every: {args.bad_every or '-'}")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"parse + validate: median {statistics.median(seconds):.3f} s, min {min(seconds):.3f} s, max {max(seconds):.3f} s over {args.repeats} runs")


if __name__ == "__main__":
    main()
