"""Training speed: the lesson's own loop against polyreg's engine, on the lesson's data.

    .venv/bin/python bench/train_bench.py            # or: make bench-train

In one process, on data/dataset.csv with the lesson's settings (10,000 epochs, batch 128,
lr 1e-4, shuffle, drop-last), it times

  (a) the lesson's loop as the lesson writes it: a ``Dataset`` whose ``__getitem__`` builds
      one row at a time, a ``DataLoader``, an ``nn.Module``, ``MSELoss`` and ``optim.SGD``;
  (b) ``polyreg_core.training.train`` with no progress callback;
  (c) the same run through ``TrainingJob``, with a second thread reading ``snapshot()``
      every 0.25 s and building the live loss chart every 1 s, as the Train page does;

and prints the medians, a/b and (c − b)/b. Then, in a child process so that its peak
memory is its own, it trains on a generated 1,000,000-row table at batch 128 and prints the
steps per second and the peak resident memory. Wall times vary with the machine's load, so
every figure is a median of several runs, and CPU times (all threads of the process) are
printed beside them: on a busy machine they show the work done more steadily.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import torch  # noqa: E402
from torch import nn, optim  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402

from polyreg_app.charts import loss_chart  # noqa: E402
from polyreg_core.data import SampleSpec, generate, read_csv  # noqa: E402
from polyreg_core.jobs import TrainingJob, TrainingQueue, configure_torch_threads  # noqa: E402
from polyreg_core.training import TrainConfig, train  # noqa: E402

DATASET = ROOT / "data" / "dataset.csv"
# The Train page redraws its progress line every 0.25 s and its loss chart every 1 s.
POLL_S = 0.25
CHART_EVERY_POLLS = 4


# ---------------------------------------------------------------- (a) the lesson's loop


class CustomDataset(Dataset):
    def __init__(self, file_path):
        df = pd.read_csv(file_path)
        self.x = df.iloc[:, 0].values
        self.y = df.iloc[:, 1].values
        self.length = len(df)

    def __getitem__(self, index):
        x = torch.FloatTensor([self.x[index] ** 2, self.x[index]])
        y = torch.FloatTensor([self.y[index]])
        return x, y

    def __len__(self):
        return self.length


class CustomModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(2, 1)

    def forward(self, x):
        x = self.layer(x)
        return x


def lesson_loop(epochs: int, device: str) -> tuple[float, float]:
    """Run the lesson's training code; return its (wall, CPU) time in seconds.

    The lesson prints the parameters every 1,000 epochs; the print is left out so that
    terminal speed does not count, and ``cost`` is still computed as the lesson does.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    train_dataset = CustomDataset(DATASET)
    train_dataloader = DataLoader(train_dataset, batch_size=128, shuffle=True, drop_last=True)
    model = CustomModel().to(device)
    criterion = nn.MSELoss().to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.0001)

    for epoch in range(epochs):
        cost = 0.0
        for x, y in train_dataloader:
            x = x.to(device)
            y = y.to(device)

            output = model(x)
            loss = criterion(output, y)

            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            cost += loss
        cost = cost / len(train_dataloader)
    cost.detach().item()  # wait for the device, as the lesson's last print would
    return time.perf_counter() - started, time.process_time() - cpu_started


# ---------------------------------------------------------------- (b) and (c) the engine


def engine_plain(config: TrainConfig) -> tuple[float, float]:
    dataset = read_csv(DATASET.read_bytes(), DATASET.name)
    started, cpu_started = time.perf_counter(), time.process_time()
    train(dataset, config)
    return time.perf_counter() - started, time.process_time() - cpu_started


def engine_with_live_view(config: TrainConfig) -> tuple[float, float]:
    """Train through a ``TrainingJob`` while another thread redraws as the page does.

    The CPU time counts every thread of the process, the polling one included.
    """
    dataset = read_csv(DATASET.read_bytes(), DATASET.name)
    started, cpu_started = time.perf_counter(), time.process_time()
    job = TrainingJob(dataset, config, queue=TrainingQueue(1)).start()
    done = threading.Event()

    def poll() -> None:
        ticks = 0
        while not done.wait(POLL_S):
            job.snapshot()
            ticks += 1
            if ticks % CHART_EVERY_POLLS == 0:
                epochs, costs = job.curve()
                if len(costs):
                    loss_chart(epochs, costs, "en")

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    job.join()
    seconds = time.perf_counter() - started
    done.set()
    poller.join()
    cpu_seconds = time.process_time() - cpu_started
    if job.snapshot().result is None:
        raise RuntimeError("the training job did not return a result")
    return seconds, cpu_seconds


# ---------------------------------------------------------------- the 1,000,000-row table


def big_table(rows: int, epochs: int, optimizer: str, device: str) -> dict[str, float]:
    """Train on a generated table; runs in a child process (``--big-child``)."""
    spec = SampleSpec(n_points=rows, x_step=20.0 / rows)
    dataset = generate(spec)
    config = TrainConfig(epochs=epochs, optimizer=optimizer, lr=1e-4 if optimizer == "sgd" else 0.01, device=device)
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = train(dataset, config)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps = result.epochs_done * (rows // config.batch_size)
    return {
        "steps_per_s": steps / result.train_seconds,
        "seconds": result.train_seconds,
        "peak_rss_mib": peak_kib / 1024,
        "peak_growth_mib": (peak_kib - before_kib) / 1024,
        "cuda_peak_mib": torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else 0.0,
    }


def run_big_child(args: argparse.Namespace, optimizer: str, epochs: int) -> dict[str, float]:
    command = [
        sys.executable, __file__, "--big-child", optimizer, "--big-rows", str(args.big_rows),
        "--big-epochs", str(epochs), "--device", args.device, "--threads", str(args.threads),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# ---------------------------------------------------------------- main


def medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    """Median wall and CPU seconds of (wall, CPU) pairs."""
    return statistics.median(w for w, _ in times), statistics.median(c for _, c in times)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of (b) and (c), interleaved (default: 11)")
    parser.add_argument("--lesson-runs", type=int, default=3, help="runs of the lesson's loop (a) (default: 3)")
    parser.add_argument("--epochs", type=int, default=10_000, help="epochs of (a), (b) and (c) (default: 10000)")
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="rows of the large table (default: 1000000)")
    parser.add_argument("--big-epochs", type=int, default=3, help="SGD epochs on the large table (default: 3)")
    parser.add_argument("--big-runs", type=int, default=3, help="runs on the large table (default: 3)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=1, help="torch threads, as the app sets them (default: 1)")
    parser.add_argument("--skip-lesson", action="store_true", help="leave out (a), for a quick look")
    parser.add_argument("--skip-big", action="store_true", help="leave out the large table")
    parser.add_argument("--big-child", choices=["sgd", "adam"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    configure_torch_threads({"POLYREG_TORCH_THREADS": str(args.threads)})
    if args.big_child:
        print(json.dumps(big_table(args.big_rows, args.big_epochs, args.big_child, args.device)))
        return

    config = TrainConfig(epochs=args.epochs, device=args.device)
    print(f"torch {torch.__version__}, device {args.device}, {torch.get_num_threads()} thread(s), {args.epochs} epochs")

    engine_plain(config)  # warm-up: first calls load kernels and allocate
    b_times, c_times = [], []
    for _ in range(args.runs):
        b_times.append(engine_plain(config))
        c_times.append(engine_with_live_view(config))
    b, b_cpu = medians(b_times)
    c, c_cpu = medians(c_times)
    print("                                 wall (median)   CPU (median)   wall of each run")
    print(f"(b) engine, no progress:        {b:10.3f} s   {b_cpu:10.3f} s   {_fmt(b_times)}")
    print(f"(c) engine, live view polling:  {c:10.3f} s   {c_cpu:10.3f} s   {_fmt(c_times)}")
    print(f"(c - b)/b = {(c - b) / b:+.3f} wall, {(c_cpu - b_cpu) / b_cpu:+.3f} CPU   (goal <= 0.10)")

    if not args.skip_lesson:
        a_times = [lesson_loop(args.epochs, args.device) for _ in range(args.lesson_runs)]
        a, a_cpu = medians(a_times)
        print(f"(a) lesson's DataLoader loop:   {a:10.3f} s   {a_cpu:10.3f} s   {_fmt(a_times)}")
        print(f"a/b = {a / b:.1f} wall, {a_cpu / b_cpu:.1f} CPU   (goal >= 50)")

    if args.skip_big:
        return
    for optimizer, epochs in (("sgd", args.big_epochs), ("adam", 1)):
        runs = [run_big_child(args, optimizer, epochs) for _ in range(args.big_runs)]
        rate = statistics.median(r["steps_per_s"] for r in runs)
        peak = statistics.median(r["peak_rss_mib"] for r in runs)
        growth = statistics.median(r["peak_growth_mib"] for r in runs)
        line = f"{args.big_rows:,} rows, batch 128, {optimizer}: {rate:,.0f} steps/s, peak RSS {peak:,.0f} MiB"
        line += f" (+{growth:,.0f} MiB while training)"
        if args.device == "cuda":
            line += f", CUDA peak {statistics.median(r['cuda_peak_mib'] for r in runs):,.0f} MiB"
        print(line)


def _fmt(times: list[tuple[float, float]]) -> str:
    return " ".join(f"{wall:.3f}" for wall, _ in times)


if __name__ == "__main__":
    main()
