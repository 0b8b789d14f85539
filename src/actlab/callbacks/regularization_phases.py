"""RegularizationPhases: a run whose regularisation changes at given epochs, as S3's code did."""

from collections.abc import Mapping, Sequence

import lightning as L

from actlab.training.optimization import WEIGHTS, groups_named
from actlab.utils.errors import ConfigError

SETTINGS = ("l1", "l2", "weight_decay")
"""What a phase sets: the loss's L1 and L2 penalty factors, the optimizer's weight decay."""


class RegularizationPhases(L.Callback):
    """From each phase's `epoch` on, the loss's `l1` and `l2` and the weights' `weight_decay`
    are that phase's (a setting a phase leaves out is 0).

    S3's L1 arm went on training the unregularised arm's model, and its L2 arm the L1 arm's: one
    run with phases (none for 10 epochs, then L1 with weight decay for 10, then L2 for 10) trains
    the same model as that chain, SGD without momentum carrying no state from one to the next.
    The phase in force is set at each epoch's start, so a resumed run picks it up again.
    """

    def __init__(self, phases: Sequence[Mapping[str, float]]) -> None:
        epochs = [phase.get("epoch") for phase in phases]
        if not phases or epochs[0] != 0 or epochs != sorted(set(epochs)):
            raise ConfigError(
                f"regularization phases start at epochs {epochs}: they must start at epoch 0 "
                "and go up"
            )
        for phase in phases:
            unknown = set(phase) - {"epoch", *SETTINGS}
            if unknown:
                raise ConfigError(
                    f"a regularization phase sets {', '.join(sorted(unknown))}: it sets "
                    f"epoch and {', '.join(SETTINGS)}"
                )
        self.phases = [dict(phase) for phase in phases]

    def phase_at(self, epoch: int) -> dict[str, float]:
        """The settings in force at `epoch`."""
        phase = [phase for phase in self.phases if phase["epoch"] <= epoch][-1]
        return {name: float(phase.get(name, 0.0)) for name in SETTINGS}

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        settings = self.phase_at(trainer.current_epoch)
        pl_module.l1, pl_module.l2 = settings["l1"], settings["l2"]
        for optimizer in trainer.optimizers:
            # The weights' group; learnable activations' parameters never get weight decay.
            for group in groups_named(optimizer, WEIGHTS):
                group["weight_decay"] = settings["weight_decay"]
