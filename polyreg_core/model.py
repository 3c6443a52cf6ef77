"""The lesson's model: an ``nn.Module`` around one ``nn.Linear`` layer."""

from __future__ import annotations

import math

import torch
from torch import nn


class PolyRegression(nn.Module):
    """y = W·[x^d, …, x] + b, learned by a single linear layer (the lesson's CustomModel)."""

    def __init__(self, n_features: int = 2) -> None:
        super().__init__()
        self.layer = nn.Linear(n_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)  # (batch, n_features) -> (batch, 1)

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Draw fresh weights from ``nn.Linear``'s default U(−1/√fan_in, 1/√fan_in).

        A private generator instead of ``torch.manual_seed`` keeps runs in other sessions of
        the same server from changing each other's initial weights.
        """
        bound = 1 / math.sqrt(self.layer.in_features)
        with torch.no_grad():
            self.layer.weight.uniform_(-bound, bound, generator=generator)
            self.layer.bias.uniform_(-bound, bound, generator=generator)
