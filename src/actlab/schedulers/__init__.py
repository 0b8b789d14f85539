"""Learning-rate schedules of the `scheduler` config group that PyTorch has no single class for;
the others are `torch.optim.lr_scheduler` classes named by `_target_` in `conf/scheduler/`."""
