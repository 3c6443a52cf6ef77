"""Messages about how a run ended: the divergence message shared by the Train page and the CLI."""

from __future__ import annotations

from polyreg_core.i18n import t
from polyreg_core.training import TrainResult


def divergence_message(result: TrainResult, lang: str) -> str:
    """Name the epoch, the largest stable learning rate for this data and the remedies."""
    if result.diverged_at_epoch is None:
        raise ValueError("divergence_message needs a run that diverged")
    config = result.config
    params = dict(
        epoch=result.diverged_at_epoch,
        lr=config.lr,
        momentum=config.momentum,
        max_lr=result.max_stable_lr,
        max_lr_standardized=result.max_stable_lr_standardized,
        suggested_lr=config.lr / 10,
    )
    if config.optimizer == "adam":
        bound = "bound_adam"
    elif config.momentum:
        bound = "bound_momentum"
    else:
        bound = "bound_sgd"
    remedy = "remedy_adam" if config.optimizer == "adam" else "remedy_sgd"
    if config.standardize:
        remedy += "_standardized"
    sentences = [t(f"training.{key}", lang, **params) for key in ("diverged", bound, remedy)]
    return " ".join(sentences)
