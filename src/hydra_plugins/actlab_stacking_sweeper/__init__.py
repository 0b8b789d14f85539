"""actlab's Hydra plugin: the grid sweeper that trains a sweep's jobs in stacks (`stack.size`).

Hydra finds sweepers in the `hydra_plugins` namespace only; a sweep takes it with
`hydra/sweeper=stacking` (conf/hydra/sweeper/stacking.yaml); every other sweep runs on Hydra's
basic sweeper."""
