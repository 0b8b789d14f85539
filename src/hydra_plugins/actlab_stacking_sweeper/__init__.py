"""actlab's Hydra plugin: the grid sweeper that trains a sweep's jobs in stacks (`stack.size`).

Hydra finds sweepers in the `hydra_plugins` namespace only; this one is every sweep's
(`hydra.sweeper._target_` in conf/hydra/default.yaml) but `hparams_search=optuna`'s."""
