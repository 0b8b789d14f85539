"""RestartOptimizer: the optimizer's state thrown away at each epoch's start, as S1's code does."""

import lightning as L


class RestartOptimizer(L.Callback):
    """Empties every optimizer's state (Adam's moments and step count, SGD's momentum) at the
    start of each epoch after the first: the same as building a new optimizer of the same
    parameter groups and learning rates, which S1's training function does every epoch.
    Schedulers are left as they are."""

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.current_epoch == 0:
            return
        for optimizer in trainer.optimizers:
            optimizer.state.clear()
