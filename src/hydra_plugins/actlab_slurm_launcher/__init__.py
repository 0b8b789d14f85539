"""actlab's Hydra plugin: a SLURM launcher (submitit's) whose jobs go on where they stopped.

`hydra/launcher=slurm` and `slurm_cpu` (conf/hydra/launcher/) choose it. Beside the submitit
launcher it builds on, a job that SLURM signals before its time limit stops at its next step with
its state saved and is requeued (submitit owns the signal and the requeue; the requeued attempt
continues from its own checkpoint, see `actlab.sweep.slurm`), job states come from `squeue`
(clusters without job accounting are common, and there `sacct` fails at every poll), and a job
that ends without a result (cancelled, killed) costs the other jobs nothing. Hydra finds launchers
in the `hydra_plugins` namespace only."""
