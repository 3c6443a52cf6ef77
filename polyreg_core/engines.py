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

Both return the optimizer's state (SGD's momentum buffer, Adam's moments) so that a run can
continue where the previous one stopped, as one ``torch.optim`` optimizer kept alive would.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn, optim

STEPS_PER_BLOCK = 2048  # a block takes roughly 20 ms on one CPU core
STOP_CHECK_STEPS = 1024
FLUSH_INTERVAL_S = 0.1
DIVERGENCE_FACTOR = 1e6  # a cost this many times the first epoch's counts as diverged
FLOAT32_MAX = float(np.finfo(np.float32).max)

# (epochs done in this run, costs of the epochs since the last call, their parameter rows)
Report = Callable[[int, np.ndarray, np.ndarray], None]


@dataclass
class EngineRun:
    """The output of one engine call: a row per finished epoch, and how the run ended."""

    stopped: bool = False
    diverged_at: int | None = None  # 1-based epoch of this run
    optimizer_state: dict | None = None
    # Blocks are kept as a list and joined once, because joining after every block would
    # copy the whole history again each time (quadratic in the epoch count).
    _costs: list[np.ndarray] = field(default_factory=list)
    _params: list[np.ndarray] = field(default_factory=list)

    def append(self, cost: np.ndarray, params: np.ndarray) -> None:
        if len(cost):
            self._costs.append(cost)
            self._params.append(params)

    @property
    def epochs(self) -> int:
        return sum(len(c) for c in self._costs)

    def cost(self) -> np.ndarray:
        return np.concatenate(self._costs) if self._costs else np.zeros(0)

    def params(self, n_params: int) -> np.ndarray:
        """Parameter rows [weights…, bias] after each epoch, (epochs, n_params)."""
        return np.concatenate(self._params) if self._params else np.zeros((0, n_params))

    def last_params(self) -> np.ndarray | None:
        return self._params[-1][-1] if self._params else None


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


def run(
    model,
    x,
    y,
    config,
    generator,
    report: Report,
    should_stop: Callable[[], bool],
    optimizer_state: dict | None = None,
) -> EngineRun:
    """Train ``model`` in place on device tensors ``x`` (n, d) and ``y`` (n, 1).

    ``optimizer_state`` comes from a previous run's ``EngineRun.optimizer_state``; it is
    used when that run had the same optimizer.
    """
    plan = BatchPlan(len(x), config.batch_size, config.drop_last)
    closed_form = config.optimizer == "sgd" and x.device.type in ("cpu", "cuda")
    engine = _run_closed_form if closed_form else _run_autograd
    if optimizer_state is not None and optimizer_state.get("optimizer") != config.optimizer:
        optimizer_state = None
    return engine(model, x, y, config, plan, generator, report, should_stop, optimizer_state)


def _epoch_orders(plan: BatchPlan, epochs: int, shuffle: bool, generator, device) -> torch.Tensor:
    """Row order of each epoch, (epochs, n); drawn on the CPU so a seed means the same on any device."""
    if not shuffle:
        return torch.arange(plan.n).expand(epochs, plan.n).to(device)
    return torch.stack([torch.randperm(plan.n, generator=generator) for _ in range(epochs)]).to(device)


def _cost_limit(first_cost: float) -> float:
    """Return the cost past which a run counts as diverged.

    The limit is relative to this run's first epoch, not to the first epoch of a run it continues,
    so that continuing from the large weights a divergence left, with a smaller learning
    rate, can still recover.
    """
    return DIVERGENCE_FACTOR * max(first_cost, 1e-12) if np.isfinite(first_cost) else -np.inf


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


def _sgd_steps(theta0, velocity0, gram, moment, sizes, lr, momentum, should_stop):
    """Run the SGD steps of one block.

    Returns three values. The first is θ before each step and after the last, (steps + 1, p).
    The second is the momentum buffer in the same layout, or None without momentum. The
    third is the number of steps taken, which is smaller than requested after a stop.
    """
    scale = 2.0 / sizes  # (steps,)
    hess = (gram * scale[:, None, None]).unbind(0)  # the batch Hessian, 2G/B
    neg_b = (-moment * scale[:, None]).unbind(0)  # −2c/B, so that grad = hess·θ + neg_b
    thetas = torch.empty(len(sizes) + 1, len(theta0), dtype=theta0.dtype, device=theta0.device)
    thetas[0] = theta0
    rows = thetas.unbind(0)
    velocities = None
    if momentum:
        # torch.optim.SGD: buf = momentum·buf + grad, and buf = grad on the first step,
        # which is the same as starting from a zero buffer.
        velocities = torch.empty_like(thetas)
        velocities[0] = velocity0
        buffers = velocities.unbind(0)
    for k in range(len(hess)):
        if k and k % STOP_CHECK_STEPS == 0 and should_stop():
            return thetas, velocities, k
        grad = torch.addmv(neg_b[k], hess[k], rows[k])
        if momentum:
            grad = torch.add(grad, buffers[k], alpha=momentum, out=buffers[k + 1])
        torch.add(rows[k], grad, alpha=-lr, out=rows[k + 1])
    return thetas, velocities, len(hess)


def _run_closed_form(model, x, y, config, plan, generator, report, should_stop, state) -> EngineRun:
    device = x.device
    a = torch.cat([x, torch.ones(len(x), 1, device=device)], 1).double()  # (n, p)
    targets = y[:, 0].double()
    layer = model.layer
    theta = torch.cat([layer.weight.detach()[0], layer.bias.detach()]).double()  # (p,)
    velocity = torch.zeros_like(theta)
    if state is not None and state.get("velocity") is not None:
        velocity = torch.tensor(state["velocity"], dtype=torch.float64, device=device)
    sizes_one = torch.tensor(plan.sizes(), dtype=torch.float64, device=device)
    epochs_per_block = max(1, STEPS_PER_BLOCK // plan.batches)

    result, limit, done = EngineRun(), None, 0
    while done < config.epochs:
        epochs = min(epochs_per_block, config.epochs - done)
        orders = _epoch_orders(plan, epochs, config.shuffle, generator, device)
        gram, moment, square = _batch_statistics(a, targets, orders, plan)
        sizes = sizes_one.repeat(epochs)
        thetas, velocities, steps = _sgd_steps(
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
        if limit is None and finished:
            limit = _cost_limit(float(cost[0]))
        bad = _first_bad_epoch(cost, params, limit) if finished else None
        if bad is not None:
            result.append(cost[:bad], params[:bad])
            result.diverged_at = done + bad + 1
            if bad:
                report(done + bad, cost[:bad], params[:bad])
            theta = thetas[bad * plan.batches]
            velocity = None  # the buffer grew with the divergence: a continued run starts afresh
            break

        # A stop inside an epoch rolls back to the end of the last finished one.
        # NOTE: the generator has already drawn the whole block's orders, so a run stopped
        # here and continued later shuffles differently from one never stopped.
        result.append(cost, params)
        theta = thetas[finished * plan.batches]
        if velocities is not None:
            velocity = velocities[finished * plan.batches]
        done += finished
        if finished:
            report(done, cost, params)
        if steps < len(sizes):
            result.stopped = True
            break
        if should_stop():
            result.stopped = done < config.epochs
            break

    with torch.no_grad():
        layer.weight.copy_(theta[:-1].float()[None, :])
        layer.bias.copy_(theta[-1:].float())
    has_buffer = config.momentum and velocity is not None
    result.optimizer_state = {
        "optimizer": "sgd",
        "velocity": velocity.cpu().numpy().copy() if has_buffer else None,
    }
    return result


# ---------------------------------------------------------------- autograd (the lesson's loop)

STOP_CHECK_BATCHES = 256


def _make_optimizer(model: nn.Module, config, state: dict | None) -> optim.Optimizer:
    if config.optimizer == "adam":
        optimizer = optim.Adam(model.parameters(), lr=config.lr)
        if state is not None:
            optimizer.load_state_dict(state["state_dict"])
            optimizer.param_groups[0]["lr"] = config.lr  # a continued run may change the rate
        return optimizer
    optimizer = optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    if state is not None and state.get("velocity") is not None and config.momentum:
        layer = model.layer
        velocity = torch.tensor(state["velocity"], dtype=layer.weight.dtype, device=layer.weight.device)
        optimizer.state[layer.weight]["momentum_buffer"] = velocity[:-1][None, :].clone()
        optimizer.state[layer.bias]["momentum_buffer"] = velocity[-1:].clone()
    return optimizer


def _export_state(optimizer: optim.Optimizer, model: nn.Module, config) -> dict:
    if config.optimizer == "adam":
        return {"optimizer": "adam", "state_dict": _state_dict_on_cpu(optimizer)}
    layer = model.layer
    buffers = [optimizer.state.get(p, {}).get("momentum_buffer") for p in (layer.weight, layer.bias)]
    if not config.momentum or any(b is None for b in buffers):
        return {"optimizer": "sgd", "velocity": None}
    velocity = torch.cat([buffers[0][0], buffers[1]]).double().cpu().numpy()
    return {"optimizer": "sgd", "velocity": velocity}


def _state_dict_on_cpu(optimizer: optim.Optimizer) -> dict:
    state_dict = copy.deepcopy(optimizer.state_dict())
    for per_param in state_dict["state"].values():
        for key, value in per_param.items():
            if isinstance(value, torch.Tensor):
                per_param[key] = value.cpu()
    return state_dict


def _run_autograd(model, x, y, config, plan, generator, report, should_stop, state) -> EngineRun:
    criterion = nn.MSELoss()
    optimizer = _make_optimizer(model, config, state)
    layer, device = model.layer, x.device
    p = layer.in_features + 1
    initial = torch.cat([layer.weight.detach()[0], layer.bias.detach()]).double().cpu().numpy()
    # An epoch long enough to check Stop inside it needs a copy of where it started, so
    # that a stop can roll back to the end of the last finished epoch.
    long_epochs = plan.batches > STOP_CHECK_BATCHES
    result, limit, done = EngineRun(), None, 0

    while done < config.epochs:
        # Costs and weights gather on the device and come back once per flush, because a
        # .item() per epoch would wait for the device every epoch.
        costs, params, started, stopped = [], [], time.perf_counter(), False
        while done + len(costs) < config.epochs and time.perf_counter() - started < FLUSH_INTERVAL_S:
            checkpoint = (copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict())) if long_epochs else None
            order = _epoch_orders(plan, 1, config.shuffle, generator, device)[0]
            cost = torch.zeros((), device=device)
            for b, size in enumerate(plan.sizes()):
                if long_epochs and b and b % STOP_CHECK_BATCHES == 0 and should_stop():
                    model.load_state_dict(checkpoint[0])
                    optimizer.load_state_dict(checkpoint[1])
                    stopped = True
                    break
                idx = order[b * plan.batch_size : b * plan.batch_size + size]
                output = model(x[idx])
                loss = criterion(output, y[idx])

                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

                cost += loss.detach()
            if stopped:
                break
            costs.append(cost / plan.batches)
            params.append(torch.cat([layer.weight.detach()[0], layer.bias.detach()]))
            if should_stop():
                stopped = True
                break

        if costs:
            cost_np = torch.stack(costs).double().cpu().numpy()
            params_np = torch.stack(params).double().cpu().numpy().reshape(-1, p)
            if limit is None:
                limit = _cost_limit(float(cost_np[0]))
            bad = _first_bad_epoch(cost_np, params_np, limit)
            if bad is not None:
                result.append(cost_np[:bad], params_np[:bad])
                result.diverged_at = done + bad + 1
                if bad:
                    report(done + bad, cost_np[:bad], params_np[:bad])
                last = result.last_params()
                _restore(layer, last if last is not None else initial)
                result.optimizer_state = None  # the moments grew with the divergence
                return result
            result.append(cost_np, params_np)
            done += len(costs)
            report(done, cost_np, params_np)
        if stopped:
            result.stopped = done < config.epochs
            break

    result.optimizer_state = _export_state(optimizer, model, config)
    return result


def _restore(layer: nn.Linear, params: np.ndarray) -> None:
    """Put back the last finite weights after a divergence, so no NaN reaches a prediction."""
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(params[:-1], dtype=torch.float32)[None, :])
        layer.bias.copy_(torch.tensor(params[-1:], dtype=torch.float32))
