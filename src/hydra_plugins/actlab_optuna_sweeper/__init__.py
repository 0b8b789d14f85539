"""actlab's Hydra plugin: an Optuna sweeper whose search goes on where it stopped.

Hydra finds sweepers in the `hydra_plugins` namespace only; this one is chosen by
`hparams_search=optuna` (`hydra.sweeper._target_`)."""
