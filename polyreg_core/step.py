"""One SGD step written out: the mini-batch, its loss, each parameter's gradient and update.

The step is the one training would take next: the first mini-batch of the next epoch from
the trained model's weights and shuffling stream, or of epoch 1 from the seed's initial
weights when nothing is trained yet. It runs the lesson's own code path (``MSELoss``,
``loss.backward()``) on a copy of the model and checks the gradient against the formula.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from polyreg_core.data import Dataset
from polyreg_core.features import Scaling, polynomial_features
from polyreg_core.model import PolyRegression
from polyreg_core.training import TrainConfig, TrainResult


@dataclass(frozen=True)
class StepExplanation:
    """The numbers of one plain SGD step, on the model's input features."""

    epoch: int  # the epoch whose first mini-batch this is, 1-based
    rows: np.ndarray  # (B,) row indices of the batch in the dataset
    features: np.ndarray  # (B, degree) the model's input: standardised when that is on
    targets: np.ndarray  # (B,)
    outputs: np.ndarray  # (B,) the model's ŷ before the step
    loss: float  # MSELoss of the batch
    params: np.ndarray  # (p,) θ before the step, the model's own scale
    gradient: np.ndarray  # (p,) ∂loss/∂θ from loss.backward()
    formula_gradient: np.ndarray  # (p,) (2/B)·Σ(ŷ − y)·[f, 1] in float64, the check
    lr: float
    standardized: bool

    @property
    def update(self) -> np.ndarray:
        return self.lr * self.gradient

    @property
    def updated(self) -> np.ndarray:
        """θ − lr·∇θ: the parameters after this step."""
        return self.params - self.update


def explain_step(dataset: Dataset, config: TrainConfig, result: TrainResult | None = None) -> StepExplanation:
    """Compute the next SGD step of ``result`` on ``dataset`` (with its settings), or the
    first step of a fresh run with ``config`` when there is no result.

    Raises ConfigError or DataError when ``config`` cannot train on ``dataset``.
    """
    config = config if result is None else result.config
    config.validate(len(dataset))
    generator = torch.Generator()
    if result is None:
        model = PolyRegression(config.degree)  # float32 weights, as train() draws them
        generator.manual_seed(config.seed)
        model.reset_parameters(generator)  # the same draw as train() makes
        raw = polynomial_features(dataset.x, config.degree)
        scaling = Scaling.fit(raw) if config.standardize else Scaling.identity(config.degree)
        epoch = 1
    else:
        model = copy.deepcopy(result.model)  # never touch the session's trained model
        if result.rng_state is not None:
            generator.set_state(result.rng_state)
        else:
            # NOTE: a result without its shuffling stream (one loaded from a file) cannot say
            # which rows Continue would draw next; this batch comes from the seed instead.
            generator.manual_seed(result.config.seed)
        scaling = result.scaling
        epoch = result.epochs_done + 1

    # train() draws each epoch's order with randperm on this generator, so the first
    # batch_size rows of the next draw are the next mini-batch.
    n = len(dataset)
    order = torch.randperm(n, generator=generator) if config.shuffle else torch.arange(n)
    rows = order[: min(config.batch_size, n)]

    # float64, as the SGD engine computes its steps: in float32 the residuals ŷ − y of values
    # near 300 keep only about four digits, and the check against the formula would drift.
    features = scaling.apply(polynomial_features(dataset.x, config.degree))  # (n, degree)
    x = torch.tensor(features[rows.numpy()], dtype=torch.float64)  # (B, degree)
    y = torch.tensor(dataset.y[rows.numpy()], dtype=torch.float64)[:, None]  # (B, 1)
    model.cpu().double().train()
    output = model(x)  # (B, 1)
    loss = nn.MSELoss()(output, y)
    model.zero_grad()
    loss.backward()

    layer = model.layer
    params = torch.cat([layer.weight.detach()[0], layer.bias.detach()]).double().numpy()
    gradient = torch.cat([layer.weight.grad[0], layer.bias.grad]).double().numpy()
    return StepExplanation(
        epoch=epoch,
        rows=rows.numpy(),
        features=features[rows.numpy()],
        targets=dataset.y[rows.numpy()],
        outputs=output.detach()[:, 0].double().numpy(),
        loss=float(loss.detach()),
        params=params,
        gradient=gradient,
        formula_gradient=_formula_gradient(features[rows.numpy()], dataset.y[rows.numpy()], params),
        lr=config.lr,
        standardized=config.standardize,
    )


def _formula_gradient(features: np.ndarray, targets: np.ndarray, params: np.ndarray) -> np.ndarray:
    """∂/∂θ of mean((A·θ − y)²) = (2/B)·Aᵀ(A·θ − y) with A = [features, 1]."""
    design = np.column_stack([features, np.ones(len(features))])  # (B, p)
    residual = design @ params - targets
    return 2.0 / len(design) * design.T @ residual
