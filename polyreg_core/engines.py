"""The two training loops behind ``train``.

Both keep the lesson's mini-batch semantics: every epoch a fresh random order of the rows
(when shuffling), consecutive batches of ``batch_size`` rows from that order, the last
partial batch dropped when ``drop_last``, one optimizer step per batch, and the epoch's cost
as the mean of its batch losses taken before each step.

- ``_run_autograd`` is the lesson's loop with the data on the device: ``MSELoss``,
  ``loss.backward()`` and a ``torch.optim`` optimizer. It serves Adam, and MPS (no float64).
- ``_run_closed_form`` serves SGD with or without momentum on the CPU and CUDA. For a linear
  layer under MSE the gradient of a batch is exactly (2/B)·(Gθ − c) with G = AᵀA and c = Aᵀy
  over the batch's rows A = [features, 1]. It computes G and c for a whole block of batches
  in one batched matmul, so each step is two small tensor ops instead of a forward pass, a
  backward pass and an optimizer call. A test checks it against the autograd loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn, optim

STEPS_PER_BLOCK = 2048  # a block takes roughly 20 ms on a 2-core CPU
STOP_CHECK_STEPS = 1024
FLUSH_INTERVAL_S = 0.1
DIVERGENCE_FACTOR = 1e6  # a cost this many times the first epoch's counts as diverged
FLOAT32_MAX = float(np.finfo(np.float32).max)

Report = Callable[[int, float, np.ndarray], None]


@dataclass
class EngineRun:
    """What one call of an engine produced: a row per finished epoch."""

    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    params: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (epochs, n_features + 1)
    stopped: bool = False
    diverged_at: int | None = None  # 1-based epoch of this run

    def append(self, cost: np.ndarray, params: np.ndarray) -> None:
        self.cost = np.concatenate([self.cost, cost])
        self.params = params if len(self.params) == 0 else np.concatenate([self.params, params])


@dataclass(frozen=True)
class BatchPlan:
    """How one epoch of n rows splits into batches."""

    n: int
    batch_size: int
    drop_last: bool

    @property
    def full(self) -> int:
        return self.n // self.batch_size

    @property
    def partial(self) -> int:
        rest = self.n % self.batch_size
        return 0 if self.drop_last else rest

    @property
    def batches(self) -> int:
        return self.full + (1 if self.partial else 0)

    def sizes(self) -> list[int]:
        return [self.batch_size] * self.full + ([self.partial] if self.partial else [])


def run(model, x, y, config, generator, report: Report, should_stop: Callable[[], bool]) -> EngineRun:
    """Train ``model`` in place on device tensors ``x`` (n, d) and ``y`` (n, 1)."""
    plan = BatchPlan(len(x), config.batch_size, config.drop_last)
    closed_form = config.optimizer == "sgd" and x.device.type in ("cpu", "cuda")
    engine = _run_closed_form if closed_form else _run_autograd
    return engine(model, x, y, config, plan, generator, report, should_stop)


def _epoch_orders(plan: BatchPlan, epochs: int, shuffle: bool, generator, device) -> torch.Tensor:
    """Row order of each epoch, (epochs, n); drawn on the CPU so a seed means the same on any device."""
    if not shuffle:
        return torch.arange(plan.n).expand(epochs, plan.n).to(device)
    return torch.stack([torch.randperm(plan.n, generator=generator) for _ in range(epochs)]).to(device)


def _first_bad_epoch(cost: np.ndarray, params: np.ndarray, limit: float) -> int | None:
    # The closed-form engine steps in float64, but the model keeps float32 weights: a weight
    # above float32's range would turn into inf when copied back, so it counts as diverged too.
    # The comparison is False for NaN, which makes NaN weights count as well.
    fits = (np.abs(params) <= FLOAT32_MAX).all(axis=1)
    bad = ~np.isfinite(cost) | (cost > limit) | ~fits
    return int(np.argmax(bad)) if bad.any() else None


# ---------------------------------------------------------------- closed-form SGD


def _batch_statistics(a: torch.Tensor, y: torch.Tensor, orders: torch.Tensor, plan: BatchPlan):
    """G = AᵀA, c = Aᵀy and s = yᵀy of every batch of every epoch in ``orders``, in step order."""
    epochs, p = len(orders), a.shape[1]
    grams, moments, squares = [], [], []
    groups = [(0, plan.full, plan.batch_size), (plan.full * plan.batch_size, 1 if plan.partial else 0, plan.partial)]
    for start, count, size in groups:
        if count == 0:
            continue
        idx = orders[:, start : start + count * size].reshape(epochs * count, size)
        rows, targets = a[idx], y[idx]  # (batches, size, p), (batches, size)
        grams.append(torch.bmm(rows.transpose(1, 2), rows).view(epochs, count, p, p))
        moments.append(torch.bmm(rows.transpose(1, 2), targets[..., None]).view(epochs, count, p))
        squares.append((targets * targets).sum(1).view(epochs, count))
    # Full batches first, then the partial one, inside each epoch: the lesson's step order.
    gram = torch.cat(grams, 1).reshape(-1, p, p)
    moment = torch.cat(moments, 1).reshape(-1, p)
    square = torch.cat(squares, 1).reshape(-1)
    return gram, moment, square


def _sgd_steps(theta0, velocity, gram, moment, sizes, lr, momentum, should_stop):
    """Run the SGD steps of one block; return θ before each step and after the last, and the
    number of steps taken (fewer than asked when stopped)."""
    scale = 2.0 / sizes  # (steps,)
    hess = (gram * scale[:, None, None]).unbind(0)  # the batch Hessian, 2G/B
    neg_b = (-moment * scale[:, None]).unbind(0)  # −2c/B, so that grad = hess·θ + neg_b
    thetas = torch.empty(len(sizes) + 1, len(theta0), dtype=theta0.dtype, device=theta0.device)
    thetas[0] = theta0
    rows = thetas.unbind(0)
    for k in range(len(hess)):
        if k and k % STOP_CHECK_STEPS == 0 and should_stop():
            return thetas, velocity, k
        grad = torch.addmv(neg_b[k], hess[k], rows[k])
        if momentum:
            # torch.optim.SGD: buf = momentum·buf + grad, with buf = grad on the first step
            velocity = grad if velocity is None else torch.add(grad, velocity, alpha=momentum)
            grad = velocity
        torch.add(rows[k], grad, alpha=-lr, out=rows[k + 1])
    return thetas, velocity, len(hess)


def _run_closed_form(model, x, y, config, plan, generator, report, should_stop) -> EngineRun:
    device = x.device
    a = torch.cat([x, torch.ones(len(x), 1, device=device)], 1).double()  # (n, p)
    targets = y[:, 0].double()
    layer = model.layer
    theta = torch.cat([layer.weight.detach()[0], layer.bias.detach()]).double()  # (p,)
    sizes_one = torch.tensor(plan.sizes(), dtype=torch.float64, device=device)
    epochs_per_block = max(1, STEPS_PER_BLOCK // plan.batches)

    result, velocity, limit, done = EngineRun(), None, None, 0
    while done < config.epochs:
        epochs = min(epochs_per_block, config.epochs - done)
        orders = _epoch_orders(plan, epochs, config.shuffle, generator, device)
        gram, moment, square = _batch_statistics(a, targets, orders, plan)
        sizes = sizes_one.repeat(epochs)
        thetas, velocity, steps = _sgd_steps(
            theta, velocity, gram, moment, sizes, config.lr, config.momentum, should_stop
        )

        # the cost of each step at the weights it started from: (θᵀGθ − 2cᵀθ + s)/B
        before = thetas[:-1]
        quadratic = torch.einsum("kp,kpq,kq->k", before, gram, before)
        losses = (quadratic - 2 * (moment * before).sum(1) + square) / sizes
        finished = steps // plan.batches
        cost = losses[: finished * plan.batches].view(finished, plan.batches).mean(1)
        params = thetas[plan.batches : finished * plan.batches + 1 : plan.batches]
        cost, params = cost.cpu().numpy(), params.cpu().numpy()

        # divergence: keep the epochs before the first bad one
        limit = limit if limit is not None else DIVERGENCE_FACTOR * max(float(cost[0]) if finished else 0.0, 1e-12)
        bad = _first_bad_epoch(cost, params, limit)
        if bad is not None:
            result.append(cost[:bad], params[:bad])
            result.diverged_at = done + bad + 1
            theta = thetas[bad * plan.batches] if bad else theta
            break
        result.append(cost, params)
        theta = thetas[finished * plan.batches]
        done += finished
        if finished:
            report(done, float(cost[-1]), params[-1])
        if steps < len(sizes):
            result.stopped = True
            break
        if should_stop():
            result.stopped = done < config.epochs
            break

    with torch.no_grad():
        layer.weight.copy_(theta[:-1].float()[None, :])
        layer.bias.copy_(theta[-1:].float())
    return result


# ---------------------------------------------------------------- autograd (the lesson's loop)


def _make_optimizer(model: nn.Module, config) -> optim.Optimizer:
    if config.optimizer == "adam":
        return optim.Adam(model.parameters(), lr=config.lr)
    return optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)


def _run_autograd(model, x, y, config, plan, generator, report, should_stop) -> EngineRun:
    criterion = nn.MSELoss()
    optimizer = _make_optimizer(model, config)
    layer, device = model.layer, x.device
    p = layer.in_features + 1
    initial = torch.cat([layer.weight.detach()[0], layer.bias.detach()]).double().cpu().numpy()
    result, limit, done = EngineRun(), None, 0

    while done < config.epochs:
        # Costs and weights gather on the device and come back once per flush, because a
        # .item() per epoch would wait for the device every epoch.
        costs, params, started = [], [], time.perf_counter()
        while done + len(costs) < config.epochs and time.perf_counter() - started < FLUSH_INTERVAL_S:
            order = _epoch_orders(plan, 1, config.shuffle, generator, device)[0]
            cost = torch.zeros((), device=device)
            for b, size in enumerate(plan.sizes()):
                idx = order[b * plan.batch_size : b * plan.batch_size + size]
                output = model(x[idx])
                loss = criterion(output, y[idx])

                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

                cost += loss.detach()
            costs.append(cost / plan.batches)
            params.append(torch.cat([layer.weight.detach()[0], layer.bias.detach()]))
            if should_stop():
                break

        cost_np = torch.stack(costs).double().cpu().numpy()
        params_np = torch.stack(params).double().cpu().numpy().reshape(-1, p)
        limit = limit if limit is not None else DIVERGENCE_FACTOR * max(float(cost_np[0]), 1e-12)
        bad = _first_bad_epoch(cost_np, params_np, limit)
        if bad is not None:
            result.append(cost_np[:bad], params_np[:bad])
            result.diverged_at = done + bad + 1
            _restore(layer, result.params[-1] if len(result.params) else initial)
            break
        result.append(cost_np, params_np)
        done += len(costs)
        report(done, float(cost_np[-1]), params_np[-1])
        if should_stop():
            result.stopped = done < config.epochs
            break
    return result


def _restore(layer: nn.Linear, params: np.ndarray) -> None:
    """Put back the last finite weights after a divergence, so no NaN reaches a prediction."""
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(params[:-1], dtype=torch.float32)[None, :])
        layer.bias.copy_(torch.tensor(params[-1:], dtype=torch.float32))
